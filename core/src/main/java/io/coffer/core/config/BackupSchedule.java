package io.coffer.core.config;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Backups the node takes by itself.
 *
 * @param directory      where they go, as {@code coffer-<UTC time>.backup}
 * @param every          how often (the first one a minute after start, then at this interval)
 * @param keep           how many of the newest are kept; older ones of this name pattern are deleted after a good one
 * @param passphraseFile the file whose first line is the passphrase (readable only by the node's user; keep a copy elsewhere:
 *                       without it no backup can be restored)
 */
public record BackupSchedule(Path directory, Duration every, int keep, Path passphraseFile) {
}
