/**
 * Structured logging: one JSON object per line on standard output, so log shippers need no parsing
 * rules. Messages never carry secrets; that is the callers' duty, and tests check it.
 */
package io.coffer.api.log;
