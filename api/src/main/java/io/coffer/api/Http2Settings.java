package io.coffer.api;

import io.helidon.config.Config;
import io.helidon.webserver.ListenerConfig;
import io.helidon.webserver.http2.Http2Config;

/**
 * The HTTP/2 settings a socket of the node serves with: the operator's ({@code protocols.providers.http_2} under the socket's
 * configuration), with the receive window a client is granted lowered below four of the largest frames it may send.
 *
 * <p>Why: Helidon 4.4 returns a connection's receive credit (its WINDOW_UPDATE frames) through a policy it picks from those two
 * numbers. With its defaults (1 MiB window, 16 KiB frames) it collects credit until half the window is used, in a counter that
 * every stream's thread of the connection adds to without a lock. Under concurrent calls two threads' additions collide: one
 * is lost (credit the client never gets back, until the connection can send nothing), or a WINDOW_UPDATE of 0 goes out, which
 * the client must treat as a connection error — every call on the connection then fails with INTERNAL ({@code scripts/bench api}
 * at 64 concurrent calls saw it in about one run in three: "Received WINDOW_UPDATE with delta 0 for connection stream"). With a
 * window under four frames Helidon returns each frame's credit as it is read, from nothing shared: correct under any number
 * of streams, for one small frame more per request frame. 64 KiB in flight per connection is plenty for the API's messages
 * (a request is refused above {@link io.coffer.api.grpc.TransportGuard#MAX_MESSAGE_BYTES} anyway). Raising the frame size
 * instead (the other way to the same policy) made Helidon end connections with PROTOCOL_ERROR once clients sent frames of
 * hundreds of KiB.
 */
final class Http2Settings {
    private Http2Settings() {
    }

    /** Whether Helidon 4.4 returns a connection's credit through its shared, unlocked counter with these two settings. */
    static boolean sharedPolicy(long window, long maxFrame) {
        return maxFrame * 4 <= window;
    }

    /** The socket's HTTP/2 configuration, its receive window lowered if needed (see the class comment). */
    static Http2Config of(Config socket) {
        Http2Config configured = Http2Config.create(socket.get("protocols.providers.http_2"));
        int window = Math.min(configured.initialWindowSize(), 4 * configured.maxFrameSize() - 1);
        return Http2Config.builder().from(configured).initialWindowSize(window).build();
    }

    /** {@code listener} with its HTTP/2 configuration replaced by {@link #of}'s. */
    static <B extends ListenerConfig.BuilderBase<B, ?>> B apply(B listener, Config socket) {
        java.util.List<io.helidon.webserver.spi.ProtocolConfig> others = listener.protocols().stream()
                .filter(p -> !(p instanceof Http2Config)).toList();
        return listener.protocols(others).addProtocol(of(socket));
    }
}
