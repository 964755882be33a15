package io.coffer.core.driver;

/** How far a rescan got: told as it goes, then once more with {@code done}. */
public record RescanProgress(long height, long tipHeight, long depositsFound, long addressesWatched, boolean done) {
}
