package io.coffer.bench;

import io.coffer.api.log.JsonLogFormatter;
import java.util.logging.ConsoleHandler;
import java.util.logging.Handler;
import java.util.logging.Logger;

/**
 * Logging as the node does it, for the benchmarks that run Coffer's services in their own JVM: one JSON object per line (the
 * node's {@link JsonLogFormatter}), at INFO, to standard error (the node writes to standard output; here that is the
 * benchmark's table). The JVM's default formatter, which they used before, formats every line's date with
 * {@code String.format}: a seventh of a withdrawal's CPU on the calling thread, a cost the node does not have.
 */
final class NodeLogging {
    private NodeLogging() {
    }

    static void install() {
        Logger root = Logger.getLogger("");
        for (Handler h : root.getHandlers()) {
            root.removeHandler(h);
        }
        ConsoleHandler console = new ConsoleHandler();
        console.setFormatter(new JsonLogFormatter());
        root.addHandler(console);
    }
}
