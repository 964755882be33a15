/** Small concurrency helpers shared by the services that order their own writers (the outbox, the ledgers, the store). */
package io.coffer.core.concurrent;
