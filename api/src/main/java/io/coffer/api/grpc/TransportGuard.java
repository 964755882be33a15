package io.coffer.api.grpc;

import com.google.rpc.ErrorInfo;
import io.coffer.api.log.ThrottledLog;
import io.helidon.common.Weighted;
import io.helidon.common.buffers.BufferData;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.WritableHeaders;
import io.helidon.http.http2.FlowControl;
import io.helidon.http.http2.Http2ErrorCode;
import io.helidon.http.http2.Http2Flag;
import io.helidon.http.http2.Http2FrameHeader;
import io.helidon.http.http2.Http2FrameTypes;
import io.helidon.http.http2.Http2Headers;
import io.helidon.http.http2.Http2RstStream;
import io.helidon.http.http2.Http2StreamState;
import io.helidon.http.http2.Http2StreamWriter;
import io.helidon.webserver.ProtocolConfigs;
import io.helidon.webserver.grpc.GrpcConfig;
import io.helidon.webserver.grpc.GrpcProtocolSelector;
import io.helidon.webserver.http2.spi.Http2SubProtocolProvider;
import io.helidon.webserver.http2.spi.Http2SubProtocolSelector;
import io.helidon.webserver.http2.spi.SubProtocolResult;
import io.grpc.Status;
import java.time.Duration;
import java.util.Base64;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What Coffer adds to Helidon's gRPC transport: a bound on request messages, and a way for a long call to learn that its
 * client's connection is gone.
 *
 * <p>Refuses a gRPC request message over {@link #MAX_MESSAGE_BYTES} (and a compressed one) before the transport reads it.
 *
 * <p>Helidon's gRPC handler fails such a message inside the HTTP/2 connection: it never answers the call (the client waits
 * for its deadline), logs an ERROR with a hex dump of every following frame, and reads the rest of the body as more messages.
 * Any client that could reach the port, credentials or not, grew the node's log by about five bytes per byte sent. This
 * guard sits in front of Helidon's handler (registered as an HTTP/2 sub-protocol with a higher weight, so it is chosen
 * first), follows the 5-byte gRPC message prefixes of the request body, and at the first message over the limit answers
 * RESOURCE_EXHAUSTED at once with the same {@code ErrorInfo} contract as every other error (reason
 * {@code MESSAGE_TOO_LARGE}), cancels the call inside Helidon, reads and drops the rest of the body (the client stops sending when it sees the
 * answer) and logs one throttled line
 * with the size and the method, never the bytes.
 *
 * <p>Compressed messages are refused (UNIMPLEMENTED, reason {@code COMPRESSION_UNSUPPORTED}): their size after
 * decompression cannot be bounded before it is done, and no client of this API needs to compress a request.
 *
 * <p>Helidon 4.4 tells a call nothing when its client's connection closes (only an explicit cancel reaches the call), so a
 * server stream waiting for events would hold its thread until its next write fails. Each call's gRPC context carries a
 * {@link Liveness} of its connection ({@link #LIVENESS}): asked, it sends an HTTP/2 PING on the connection (at most one per
 * connection every {@link Liveness#PING_EVERY}), and a write that fails says the connection is gone.
 */
public final class TransportGuard implements Http2SubProtocolProvider<GrpcConfig>, Weighted {
    /** The largest request message accepted, in bytes (documented in {@code common.proto}). */
    public static final int MAX_MESSAGE_BYTES = 1 << 20;
    private static final Logger LOG = Logger.getLogger(TransportGuard.class.getName());
    private static final ThrottledLog REFUSALS = new ThrottledLog(LOG, Level.WARNING, Duration.ofSeconds(10));
    /** The liveness of the current call's connection, in every gRPC call's context. */
    public static final io.grpc.Context.Key<Liveness> LIVENESS = io.grpc.Context.key("coffer-connection-liveness");
    private static final java.util.Map<Http2StreamWriter, Liveness> CONNECTIONS = java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

    /** Whether a call's connection still takes writes. */
    public static final class Liveness {
        static final Duration PING_EVERY = Duration.ofSeconds(2);
        private final java.lang.ref.WeakReference<Http2StreamWriter> writer; // weak: it is this liveness's key in CONNECTIONS
        private volatile boolean gone;
        private volatile long lastPing = System.nanoTime() - PING_EVERY.toNanos();

        Liveness(Http2StreamWriter writer) {
            this.writer = new java.lang.ref.WeakReference<>(writer);
        }

        /** False once a PING on the connection could not be written; pings at most every {@link #PING_EVERY}. */
        public boolean alive() {
            long now = System.nanoTime();
            if (!gone && now - lastPing >= PING_EVERY.toNanos()) {
                lastPing = now;
                try {
                    Http2StreamWriter w = writer.get();
                    if (w == null) {
                        gone = true;
                        return false;
                    }
                    w.write(io.helidon.http.http2.Http2Ping.create().toFrameData());
                } catch (RuntimeException e) {
                    gone = true; // the socket is closed: the client left
                }
            }
            return !gone;
        }
    }

    @Override
    public double weight() {
        return DEFAULT_WEIGHT + 100; // before Helidon's own gRPC sub-protocol, which would otherwise take the call
    }

    @Override
    public String protocolType() {
        return "grpc";
    }

    @Override
    public Class<GrpcConfig> protocolConfigType() {
        return GrpcConfig.class;
    }

    @Override
    public Http2SubProtocolSelector create(GrpcConfig config, ProtocolConfigs configs) {
        Http2SubProtocolSelector grpc = GrpcProtocolSelector.create(config);
        return (ctx, prologue, headers, writer, streamId, serverSettings, clientSettings, flowControl, state, router) -> {
            SubProtocolResult r = grpc.subProtocol(ctx, prologue, headers, writer, streamId, serverSettings, clientSettings, flowControl,
                    state, router);
            if (!r.supported()) {
                return r;
            }
            String path = prologue.uriPath().path();
            return new SubProtocolResult(true, new Guarded(r.subProtocol(), writer, streamId,
                    flowControl == null ? FlowControl.Outbound.NOOP : flowControl.outbound(), path));
        };
    }

    /** Helidon's handler for one call, with the request body's message prefixes followed on the way in. */
    static final class Guarded implements Http2SubProtocolSelector.SubProtocolHandler {
        private final Http2SubProtocolSelector.SubProtocolHandler inner;
        private final Http2StreamWriter writer;
        private final int streamId;
        private final FlowControl.Outbound outbound;
        private final String method;
        private final MessageFraming framing = new MessageFraming(MAX_MESSAGE_BYTES);
        /**
         * Set once the call is refused: the state Helidon's stream loop sees from then on. It stays OPEN until the client ends
         * or resets the stream, because that loop reads (and credits to the flow-control window) the request's frames only
         * while the handler is open: a refused body left unread would stall the whole connection once its window is spent.
         */
        private volatile Http2StreamState refusedState;

        Guarded(Http2SubProtocolSelector.SubProtocolHandler inner, Http2StreamWriter writer, int streamId, FlowControl.Outbound outbound,
                String method) {
            this.inner = inner;
            this.writer = writer;
            this.streamId = streamId;
            this.outbound = outbound;
            this.method = method.length() > 120 ? method.substring(0, 117) + "..." : method;
        }

        @Override
        public void init() {
            Liveness liveness = CONNECTIONS.computeIfAbsent(writer, Liveness::new);
            io.grpc.Context.current().withValue(LIVENESS, liveness).run(inner::init); // Helidon derives the call's context from it
        }

        @Override
        public Http2StreamState streamState() {
            Http2StreamState refused = refusedState;
            return refused != null ? refused : inner.streamState();
        }

        @Override
        public void rstStream(Http2RstStream rstStream) {
            if (refusedState != null) {
                refusedState = Http2StreamState.CLOSED;
            } else {
                inner.rstStream(rstStream);
            }
        }

        @Override
        public void windowUpdate(io.helidon.http.http2.Http2WindowUpdate update) {
            inner.windowUpdate(update);
        }

        @Override
        public void data(Http2FrameHeader header, BufferData data) {
            boolean end = header.flags(Http2FrameTypes.DATA).endOfStream();
            if (refusedState != null) {
                if (end) {
                    refusedState = Http2StreamState.CLOSED;
                }
                return; // the rest of a refused body: read and dropped
            }
            byte[] bytes = data.readBytes();
            MessageFraming.Verdict verdict = framing.accept(bytes);
            if (verdict != MessageFraming.Verdict.OK) {
                refuse(verdict, end);
                return;
            }
            inner.data(header, BufferData.create(bytes));
        }

        private void refuse(MessageFraming.Verdict verdict, boolean end) {
            refusedState = end ? Http2StreamState.CLOSED : Http2StreamState.OPEN;
            inner.rstStream(new Http2RstStream(Http2ErrorCode.CANCEL)); // the call inside Helidon is cancelled, never answered
            boolean tooLarge = verdict == MessageFraming.Verdict.TOO_LARGE;
            Status.Code code = tooLarge ? Status.Code.RESOURCE_EXHAUSTED : Status.Code.UNIMPLEMENTED;
            String reason = tooLarge ? "MESSAGE_TOO_LARGE" : "COMPRESSION_UNSUPPORTED";
            String message = tooLarge ? "request message of " + framing.lastLength() + " bytes is over the limit of " + MAX_MESSAGE_BYTES
                    + " bytes" : "compressed request messages are not accepted: send them uncompressed (grpc-encoding identity)";
            com.google.rpc.Status status = com.google.rpc.Status.newBuilder().setCode(code.value()).setMessage(message)
                    .addDetails(com.google.protobuf.Any.pack(ErrorInfo.newBuilder().setReason(reason).setDomain(ErrorMapper.DOMAIN)
                            .putMetadata("max_bytes", Integer.toString(MAX_MESSAGE_BYTES)).build()))
                    .build();
            WritableHeaders<?> h = WritableHeaders.create();
            h.set(Http2Headers.STATUS_NAME, io.helidon.http.Status.OK_200.code());
            h.set(HeaderValues.create(HeaderNames.CONTENT_TYPE, "application/grpc"));
            h.set(HeaderValues.create("grpc-status", Integer.toString(code.value())));
            h.set(HeaderValues.create("grpc-message", message));
            h.set(HeaderValues.create("grpc-status-details-bin", Base64.getEncoder().withoutPadding().encodeToString(status.toByteArray())));
            try {
                writer.writeHeaders(Http2Headers.create(h), streamId, Http2Flag.HeaderFlags.create(Http2Flag.END_OF_HEADERS
                        | Http2Flag.END_OF_STREAM), outbound);
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "could not answer a refused call (connection gone)", e);
            }
            REFUSALS.log(() -> "refused a gRPC request to " + method + ": " + message);
        }
    }
}
