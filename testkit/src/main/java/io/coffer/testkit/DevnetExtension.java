package io.coffer.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives a test class real dev chain nodes: declare a {@link BitcoindNode} or {@link AnvilNode}
 * parameter (constructor, {@code @BeforeAll}, {@code @BeforeEach} or test method) and the extension
 * starts a fresh node for that class on first use, in its own data directory under
 * {@code target/devnet/}, and stops it when the class is done — whether its tests passed or failed
 * (JUnit closes the stored resource either way). Every test of the class sees the same node, so tests
 * that need a pristine chain belong in their own class.
 *
 * <p>Use through {@link WithDevnet}.
 */
public final class DevnetExtension implements ParameterResolver {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(DevnetExtension.class);
    private static final AtomicInteger SEQ = new AtomicInteger();

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext c) {
        Class<?> t = p.getParameter().getType();
        return t == BitcoindNode.class || t == AnvilNode.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext c) {
        ExtensionContext classContext = classContext(c);
        Class<?> type = p.getParameter().getType();
        ExtensionContext.Store store = classContext.getStore(NS);
        try {
            return store.getOrComputeIfAbsent(type, t -> new Holder(start(type, classContext)), Holder.class).node;
        } catch (RuntimeException e) {
            throw new ParameterResolutionException("cannot start " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    private static DevNode start(Class<?> type, ExtensionContext classContext) {
        String name = classContext.getRequiredTestClass().getSimpleName() + "-" + ProcessHandle.current().pid() + "-"
                + SEQ.incrementAndGet();
        Path dir = Path.of("target", "devnet", name, type == BitcoindNode.class ? "bitcoin" : "anvil");
        try {
            if (Files.exists(dir)) {
                deleteTree(dir);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot clear " + dir, e);
        }
        return type == BitcoindNode.class ? BitcoindNode.start(dir) : AnvilNode.start(dir);
    }

    private static ExtensionContext classContext(ExtensionContext c) {
        ExtensionContext ctx = c;
        while (ctx.getTestMethod().isPresent() && ctx.getParent().isPresent()) {
            ctx = ctx.getParent().get();
        }
        return ctx;
    }

    static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Stored per class; JUnit closes it when the class context closes. */
    @SuppressWarnings("deprecation") // CloseableResource for JUnit before 5.13; AutoCloseable after.
    private record Holder(DevNode node) implements ExtensionContext.Store.CloseableResource, AutoCloseable {
        @Override
        public void close() {
            node.close();
        }
    }
}
