/**
 * Backups of the node's ledger: {@link io.coffer.core.backup.BackupFile} (the encrypted, versioned file format, written from a
 * snapshot of the store while the node serves, and checked record by record when read) and
 * {@link io.coffer.core.backup.BackupService} (taking one, restoring one into a new data directory, and what a restored node
 * must do before it sends anything: the backup is older than the chain).
 */
package io.coffer.core.backup;
