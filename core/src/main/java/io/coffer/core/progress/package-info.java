/**
 * How far long work has come — catch-up after downtime, rescans, backups, restores: done of total, the rate so far and the time
 * left at that rate, as one line for the log and the CLI, and a throttle so a log gets one such line every few seconds, not one
 * per block or record.
 */
package io.coffer.core.progress;
