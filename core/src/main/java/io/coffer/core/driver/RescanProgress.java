package io.coffer.core.driver;

import io.coffer.core.progress.Progress;

/** How far a rescan got: told as it goes, then once more with {@code done}; {@code progress} counts blocks from its start height. */
public record RescanProgress(long height, long tipHeight, long depositsFound, long addressesWatched, boolean done,
                             Progress.Report progress) {
}
