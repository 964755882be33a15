package io.coffer.core.driver;

/**
 * One configured chain as the node sees it now, for operators: whether its node answers, its tip, how far Coffer processed it,
 * the last error of its rounds.
 *
 * @param processedHeight the height Coffer's follower has processed (0 when the chain is not followed: no wallet yet)
 * @param catchUp         while the follower is catching up (after downtime, or a restore): blocks done of those behind
 * @param lastBlockAt     when Coffer first saw the chain's current tip (empty before its first round)
 */
public record ChainStatus(String chain, boolean accountBased, boolean connected, String network, long tipHeight, String tipHash,
                          long processedHeight, String lastError, java.util.Optional<io.coffer.core.progress.Progress.Report> catchUp,
                          java.util.Optional<java.time.Instant> lastBlockAt) {
}
