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
 * {@code MESSAGE_TOO_LARGE}), cancels the call inside Helidon, reads and drops the rest of the body until the client ends or
 * resets the stream (see {@link Guarded} for why the stream must be read to its end) and logs one throttled line with the
 * size and the method, never the bytes.
 *
 * <p>Compressed messages are refused (UNIMPLEMENTED, reason {@code COMPRESSION_UNSUPPORTED}): their size after
 * decompression cannot be bounded before it is done, and no client of this API needs to compress a request. Responses are
 * never compressed (see {@link #create}).
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
    private static final ThrottledLog UNANSWERED = new ThrottledLog(LOG, Level.WARNING, Duration.ofSeconds(10));
    /** The liveness of the current call's connection, in every gRPC call's context. */
    public static final io.grpc.Context.Key<Liveness> LIVENESS = io.grpc.Context.key("coffer-connection-liveness");
    private static final java.util.Map<Http2StreamWriter, Connection> CONNECTIONS = java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

    /**
     * Whether a call's connection still takes writes. One per call; the connection's state (its last PING, whether a write
     * failed) is shared by its calls and looked up at the first ask: the look-up takes the lock of a map every connection is in,
     * and taken at every call's start (a Health/Check's as well) it was 2.7% of the node's samples under {@code scripts/bench api}.
     */
    public static final class Liveness {
        private final Http2StreamWriter writer;
        private Connection connection; // a racing first ask finds the same one in the map

        Liveness(Http2StreamWriter writer) {
            this.writer = writer;
        }

        /** False once a PING on the connection could not be written; pings at most every {@link #PING_EVERY}. */
        public boolean alive() {
            Connection c = connection;
            if (c == null) {
                c = CONNECTIONS.computeIfAbsent(writer, Connection::new);
                connection = c;
            }
            return c.alive();
        }

        static final Duration PING_EVERY = Duration.ofSeconds(2);
    }

    /** A connection's liveness, shared by its calls. */
    private static final class Connection {
        private final java.lang.ref.WeakReference<Http2StreamWriter> writer; // weak: it is this connection's key in CONNECTIONS
        private volatile boolean gone;
        private volatile long lastPing = System.nanoTime() - Liveness.PING_EVERY.toNanos();

        Connection(Http2StreamWriter writer) {
            this.writer = new java.lang.ref.WeakReference<>(writer);
        }

        boolean alive() {
            long now = System.nanoTime();
            if (!gone && now - lastPing >= Liveness.PING_EVERY.toNanos()) {
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
        // Responses uncompressed whatever the client accepts (Helidon gzips every response message to a client that accepts it,
        // which grpc-java's and most clients do by default): a Deflater made and run per message cost more CPU than the rest of
        // a stream's send, and a compressed answer holding a secret (an API key's, a checkout token) beside fields an attacker
        // chooses leaks it through its length over TLS (CRIME/BREACH). Compressed requests are refused below.
        Http2SubProtocolSelector grpc = GrpcProtocolSelector.create(GrpcConfig.builder().from(config).enableCompression(false).build());
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

    /**
     * Times the looks at drained streams' threads (see {@link Guarded#wakeWhenDrained}), each run on a virtual thread of its
     * own (a look may write a PING to a connection whose client does not read); idle unless a stream is being drained.
     */
    private static final java.util.concurrent.ScheduledExecutorService DRAIN_WATCH =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("coffer-grpc-drain").factory());
    /** How often a drained stream's thread is looked at until it waits for a frame that will not come. */
    private static final Duration DRAIN_CHECK = Duration.ofMillis(20);

    /**
     * Helidon's handler for one call, with the request body's message prefixes followed on the way in, and the rest of a body
     * read after the call is answered.
     *
     * <p>Helidon 4.4 hands each stream's frames from the connection's reader to the stream's thread through a queue of 32
     * frames, and the stream's thread reads them (returning their bytes to the connection's flow-control window) only while
     * this handler says the stream is open. A frame queued after that is never read: at 32 the connection's reader waits
     * forever and every call on the connection with it, and each frame left unread keeps its bytes out of the connection's
     * window until the client can send nothing at all. So once a call is answered before its client finished sending (refused
     * here, or answered early by the service), the stream stays open to Helidon until the client ends it, its frames read and
     * dropped; and if the client resets it instead, the frames it sent before are still read, then the stream's thread, left
     * waiting for a frame that will not come, is woken to end.
     */
    static final class Guarded implements Http2SubProtocolSelector.SubProtocolHandler {
        /**
         * What becomes of the request's frames. PASSING → DRAINING when the call is refused or answered before the client
         * finished sending (or the client resets a call so answered); DRAINING → ENDED at the client's end of stream; PASSING →
         * ENDED when the refused message's frame is the body's last. A client's reset of a call still PASSING leaves it to
         * Helidon's handler, which cancels it.
         */
        private enum Phase {
            /** To Helidon's gRPC handler, each message's prefix checked on the way. */
            PASSING,
            /** The call is answered: read and dropped until the client ends or resets the stream. */
            DRAINING,
            /** The client ended the stream: Helidon's loop ends. */
            ENDED
        }

        private final Http2SubProtocolSelector.SubProtocolHandler inner;
        private final Http2StreamWriter writer;
        /** The connection's liveness, for this call's context and the drain check. */
        private final Liveness liveness;
        private final int streamId;
        private final FlowControl.Outbound outbound;
        private final String method;
        private final MessageFraming framing = new MessageFraming(MAX_MESSAGE_BYTES);
        private volatile Phase phase = Phase.PASSING;
        /** Set when this guard refused the call (and cancelled it inside Helidon). */
        private volatile boolean refused;
        /** Set when the client reset the stream: no frame comes after the ones already queued. */
        private volatile boolean clientReset;
        /** The stream's thread (Helidon's loop), known from {@link #init}, and whether it is inside {@link #data} now. */
        private volatile Thread streamThread;
        private volatile boolean inData;
        /** Whether {@link #checkDrained} is scheduled for this stream (once is enough: it reschedules itself). */
        private final java.util.concurrent.atomic.AtomicBoolean watched = new java.util.concurrent.atomic.AtomicBoolean();
        /** Frames this stream's thread has read (written by it alone), and what {@link #checkDrained}'s last look saw. */
        private volatile long framesRead;
        private long framesAtLastLook;
        private boolean idleSinceLastLook;

        Guarded(Http2SubProtocolSelector.SubProtocolHandler inner, Http2StreamWriter writer, int streamId, FlowControl.Outbound outbound,
                String method) {
            this.inner = inner;
            this.writer = writer;
            this.liveness = new Liveness(writer);
            this.streamId = streamId;
            this.outbound = outbound;
            this.method = method.length() > 120 ? method.substring(0, 117) + "..." : method;
        }

        @Override
        public void init() {
            streamThread = Thread.currentThread();
            io.grpc.Context.current().withValue(LIVENESS, liveness).run(inner::init); // Helidon derives the call's context from it
        }

        /** Whether the call has its answer while the client may still be sending: the service closed it before the client did. */
        private boolean answeredEarly() {
            return inner.streamState() == Http2StreamState.HALF_CLOSED_LOCAL;
        }

        @Override
        public Http2StreamState streamState() {
            return switch (phase) {
                case PASSING -> {
                    if (answeredEarly()) {
                        wakeWhenDrained(); // should the client go without ending the stream
                        yield Http2StreamState.OPEN;
                    }
                    yield inner.streamState();
                }
                case DRAINING -> Http2StreamState.OPEN;
                case ENDED -> Http2StreamState.CLOSED;
            };
        }

        /**
         * The client reset the stream. An answered call goes on being drained: the frames sent before the reset are read. A
         * call still being served is cancelled inside Helidon as before (its loop ends at its next look at the state). Either
         * way a thread then left waiting for a frame is woken ({@link #wakeWhenDrained}): Helidon itself never wakes it, one
         * parked virtual thread per reset stream.
         */
        @Override
        public void rstStream(Http2RstStream rstStream) {
            clientReset = true;
            boolean answered = phase != Phase.PASSING || answeredEarly();
            if (!refused) {
                inner.rstStream(rstStream);
            }
            if (answered && phase != Phase.ENDED) {
                phase = Phase.DRAINING;
            }
            if (phase != Phase.ENDED) {
                wakeWhenDrained();
            }
        }

        @Override
        public void windowUpdate(io.helidon.http.http2.Http2WindowUpdate update) {
            inner.windowUpdate(update);
        }

        @Override
        public void data(Http2FrameHeader header, BufferData data) {
            inData = true;
            framesRead++; // the stream's thread alone writes it
            try {
                boolean end = header.flags(Http2FrameTypes.DATA).endOfStream();
                if (phase == Phase.PASSING && answeredEarly()) {
                    phase = Phase.DRAINING;
                    wakeWhenDrained();
                }
                if (phase != Phase.PASSING) {
                    if (end) {
                        phase = Phase.ENDED;
                    }
                    return; // the rest of an answered call's body: read and dropped
                }
                byte[] bytes = data.readBytes();
                MessageFraming.Verdict verdict = framing.accept(bytes);
                if (verdict != MessageFraming.Verdict.OK) {
                    refuse(verdict, end);
                    return;
                }
                inner.data(header, BufferData.create(bytes));
            } finally {
                inData = false;
            }
        }

        /**
         * Ends the stream's thread once it waits for a frame that will not come. After the client reset the stream: the frames
         * it sent before are queued already (the connection's reader queues a stream's frames in order, before its reset), so
         * a thread waiting in its queue has read them all. Once the connection is gone (Helidon wakes no stream's thread when
         * its connection closes): the reader may still be handing over frames the client sent before it left, so the thread
         * is ended only after waiting through a whole look with no frame. A thread waits in its stream's queue only when the
         * queue is empty; it is interrupted there, and Helidon's loop ends quietly. Looked at every {@link #DRAIN_CHECK} after
         * a reset, every {@link Liveness#PING_EVERY} before; a thread anywhere else is left alone.
         */
        private void wakeWhenDrained() {
            if (watched.compareAndSet(false, true)) {
                lookAgainIn(DRAIN_CHECK);
            }
        }

        private void checkDrained() {
            Thread t = streamThread;
            if (t == null || !t.isAlive() || phase == Phase.ENDED) {
                return;
            }
            boolean reset = clientReset;
            boolean gone = !reset && !liveness.alive();
            long read = framesRead;
            boolean waiting = (reset || gone) && !inData && waitingForAFrame(t);
            if (waiting && (reset || idleSinceLastLook && read == framesAtLastLook)) {
                t.interrupt();
                return;
            }
            idleSinceLastLook = waiting;
            framesAtLastLook = read;
            lookAgainIn(reset ? DRAIN_CHECK : Liveness.PING_EVERY);
        }

        private void lookAgainIn(Duration d) {
            DRAIN_WATCH.schedule(() -> Thread.startVirtualThread(this::checkDrained), d.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        }

        /** Whether {@code t} is parked taking from its stream's frame queue (it parks there only when the queue is empty). */
        private static boolean waitingForAFrame(Thread t) {
            if (t.getState() != Thread.State.WAITING) {
                return false;
            }
            boolean taking = false;
            for (StackTraceElement f : t.getStackTrace()) {
                if (f.getClassName().equals("java.util.concurrent.ArrayBlockingQueue") && f.getMethodName().equals("take")) {
                    taking = true;
                } else if (taking && !f.getClassName().startsWith("java.")) {
                    return f.getClassName().equals("io.helidon.webserver.http2.Http2ServerStream");
                }
            }
            return false;
        }

        private void refuse(MessageFraming.Verdict verdict, boolean end) {
            refused = true;
            phase = end ? Phase.ENDED : Phase.DRAINING;
            if (!end) {
                wakeWhenDrained();
            }
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
                // The connection is gone (its client left); nothing else can go wrong here that the log line would not show.
                UNANSWERED.log(() -> "could not answer a refused gRPC request to " + method + ": " + e);
            }
            REFUSALS.log(() -> "refused a gRPC request to " + method + ": " + message);
        }
    }
}
