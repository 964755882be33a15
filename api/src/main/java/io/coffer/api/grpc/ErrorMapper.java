package io.coffer.api.grpc;

import com.google.rpc.ErrorInfo;
import io.coffer.core.error.CofferException;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one place where errors become gRPC statuses.
 *
 * <p>A {@link CofferException} maps by its kind to a status code, with a {@code google.rpc.ErrorInfo}
 * in the status details: {@code reason} is the stable error code, {@code domain} is "coffer", and
 * metadata carries {@code field} and the exception's non-secret details. Anything else is a bug or an
 * environment failure: it is logged here with an incident id, and the client gets INTERNAL with only
 * that id, never a message, class name or stack from inside.
 *
 * <p>Used two ways: services call {@link #toStatus(Throwable)} in their {@code onError}, and the
 * {@link #interceptor()} catches what a handler throws.
 */
public final class ErrorMapper {
    private static final Logger LOG = Logger.getLogger(ErrorMapper.class.getName());
    public static final String DOMAIN = "coffer";

    private ErrorMapper() {
    }

    /**
     * The longest a unary call runs before it is answered, whatever a chain node does (documented in {@code common.proto}):
     * below the chain clients' own 30 s timeout, so a frozen chain node never holds a caller past it.
     */
    public static final java.time.Duration CALL_BUDGET = java.time.Duration.ofSeconds(15);
    private static final Budgets BUDGETS = new Budgets();
    private static final io.coffer.api.log.ThrottledLog SLOW = new io.coffer.api.log.ThrottledLog(LOG, Level.WARNING,
            java.time.Duration.ofSeconds(10));

    /** Completes a unary call with {@code call}'s value, or with its exception mapped here: the services' one way to answer. */
    static <T> void answer(io.grpc.stub.StreamObserver<T> out, java.util.function.Supplier<T> call) {
        answer(out, call, null, java.util.Optional::empty);
    }

    /**
     * As {@link #answer(io.grpc.stub.StreamObserver, java.util.function.Supplier)}, within {@link #CALL_BUDGET}: when
     * {@code call} has not finished by then (it waits on a chain node, or on a lock a chain call holds), the caller gets
     * {@code known} — what is stored so far, such as a transfer not yet sent — or UNAVAILABLE {@code CALL_BUDGET_EXCEEDED}
     * naming {@code chain} when known. The work goes on and its outcome is kept (a retry with the same idempotency key
     * sees it); only its late answer is dropped. {@code known} runs on the budget's timer thread: it must only read.
     */
    static <T> void answer(io.grpc.stub.StreamObserver<T> out, java.util.function.Supplier<T> call, String chain,
            java.util.function.Supplier<java.util.Optional<T>> known) {
        java.util.concurrent.atomic.AtomicBoolean answered = new java.util.concurrent.atomic.AtomicBoolean();
        Budgets.Running budget = BUDGETS.start(answered, () -> {
            java.util.Optional<T> stored;
            try {
                stored = known.get();
            } catch (RuntimeException e) {
                stored = java.util.Optional.empty();
            }
            java.util.Optional<T> sofar = stored;
            if (!answered.compareAndSet(false, true)) {
                return;
            }
            SLOW.log(() -> "a call ran past " + CALL_BUDGET.toSeconds() + " s" + (chain == null ? "" : " (chain " + chain + ")")
                    + ": answered " + (sofar.isPresent() ? "with what is stored so far" : "UNAVAILABLE") + "; the work goes on");
            try {
                if (sofar.isPresent()) {
                    out.onNext(sofar.get());
                    out.onCompleted();
                } else {
                    out.onError(toStatus(new CofferException(io.coffer.core.error.ErrorKind.UNAVAILABLE, "CALL_BUDGET_EXCEEDED", null,
                            "not finished within " + CALL_BUDGET.toSeconds() + " s: "
                                    + (chain == null ? "a chain node is slow or unreachable" : "the node of chain '" + chain + "' is slow or unreachable")
                                    + "; retry later (with the same idempotency key: nothing is done twice)",
                            chain == null ? java.util.Map.of() : java.util.Map.of("chain", chain), null)));
                }
            } catch (RuntimeException gone) {
                LOG.log(Level.FINE, "the caller left before the budget answer", gone);
            }
        });
        T value;
        try {
            value = call.get();
        } catch (RuntimeException e) {
            budget.release();
            if (answered.compareAndSet(false, true)) {
                try {
                    out.onError(toStatus(e));
                } catch (RuntimeException gone) {
                    if (!clientGone(gone)) {
                        throw gone;
                    }
                    LOG.log(Level.FINE, "the client left before its error was written", gone);
                }
            }
            return;
        }
        budget.release();
        if (answered.compareAndSet(false, true)) {
            try {
                out.onNext(value);
                out.onCompleted();
            } catch (RuntimeException e) {
                if (!clientGone(e)) {
                    throw e;
                }
                LOG.log(Level.FINE, "the client left before its answer was written", e);
            }
        }
    }

    /**
     * The unary calls under way, oldest first, and the thread that answers those past {@link #CALL_BUDGET}. Every call has the
     * same budget, so the order calls start in is the order their budgets run out: a queue in start order, whose head a
     * thread looks at every {@link #TICK}, answering the expired and dropping the answered. It replaced a scheduled timer per
     * call, whose cancelled tasks stayed queued for their 15 s (some 200,000 at 13,000 calls/s) behind one lock that every
     * call took twice; the timer thread alone was 4–5% of the node's CPU under the API benchmark.
     */
    private static final class Budgets {
        /** How late past its budget a call is answered at most. */
        private static final long TICK = 100;

        /** A call's budget. */
        static final class Running {
            private final long deadline;
            private final java.util.concurrent.atomic.AtomicBoolean answered;
            /** Null once the call is answered: a finished call queued behind a slow one keeps nothing of its own alive. */
            private volatile Runnable expire;

            private Running(long deadline, java.util.concurrent.atomic.AtomicBoolean answered, Runnable expire) {
                this.deadline = deadline;
                this.answered = answered;
                this.expire = expire;
            }

            /** The call has its own answer: the late one's parts (the observer, what it would read) are let go. */
            void release() {
                expire = null;
            }
        }

        private final java.util.concurrent.ConcurrentLinkedQueue<Running> running = new java.util.concurrent.ConcurrentLinkedQueue<>();

        Budgets() {
            Thread.ofPlatform().daemon().name("coffer-call-budget").start(this::run);
        }

        /** {@code expire} runs (on the budget's thread) if {@code answered} is still false once the budget is spent. */
        Running start(java.util.concurrent.atomic.AtomicBoolean answered, Runnable expire) {
            Running r = new Running(System.nanoTime() + CALL_BUDGET.toNanos(), answered, expire);
            running.add(r);
            return r;
        }

        private void run() {
            while (true) {
                try {
                    Thread.sleep(TICK);
                    long now = System.nanoTime();
                    for (Running r = running.peek(); r != null; r = running.peek()) {
                        Runnable expire = r.expire;
                        boolean done = expire == null || r.answered.get();
                        if (!done && r.deadline - now > 0) {
                            break; // the oldest call still has time: so has every later one (within a tick)
                        }
                        running.poll();
                        if (!done) {
                            expire.run();
                        }
                    }
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "call budget: answering a late call failed", e);
                }
            }
        }
    }

    public static StatusRuntimeException toStatus(Throwable t) {
        if (t instanceof StatusRuntimeException s) {
            return s;
        }
        if (t instanceof CofferException e) {
            ErrorInfo.Builder info = ErrorInfo.newBuilder().setReason(e.code()).setDomain(DOMAIN).putAllMetadata(e.details());
            if (e.field() != null) {
                info.putMetadata("field", e.field());
            }
            com.google.rpc.Status status = com.google.rpc.Status.newBuilder()
                    .setCode(code(e).value())
                    .setMessage(e.getMessage() == null ? e.code() : headerSafe(e.getMessage()))
                    .addDetails(com.google.protobuf.Any.pack(info.build()))
                    .build();
            if (code(e) == Status.Code.INTERNAL) {
                return internal(t);
            }
            return StatusProto.toStatusRuntimeException(status);
        }
        return internal(t);
    }

    /**
     * The message as it may travel in the {@code grpc-message} header: printable ASCII only, at most 300 characters.
     * Messages may quote what the client sent (an unknown asset, say); a control or non-ASCII character there broke
     * Helidon's HTTP/2 header encoder (an INTERNAL for that call and a garbled header state for the next one on the
     * connection), and an unbounded quote would echo a client's megabyte back at it.
     */
    static String headerSafe(String message) {
        StringBuilder b = new StringBuilder(Math.min(message.length(), 300));
        for (int i = 0; i < message.length() && b.length() < 300; i++) {
            char c = message.charAt(i);
            b.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        if (message.length() > 300) {
            b.setLength(297);
            b.append("...");
        }
        return b.toString();
    }

    private static StatusRuntimeException internal(Throwable t) {
        String incident = UUID.randomUUID().toString();
        LOG.log(Level.SEVERE, "internal error, incident " + incident, t);
        com.google.rpc.Status status = com.google.rpc.Status.newBuilder()
                .setCode(Status.Code.INTERNAL.value())
                .setMessage("internal error (incident " + incident + ")")
                .addDetails(com.google.protobuf.Any.pack(ErrorInfo.newBuilder().setReason("INTERNAL").setDomain(DOMAIN)
                        .putMetadata("incident", incident).build()))
                .build();
        return StatusProto.toStatusRuntimeException(status);
    }

    static Status.Code code(CofferException e) {
        return switch (e.kind()) {
            case INVALID_ARGUMENT -> Status.Code.INVALID_ARGUMENT;
            case NOT_FOUND -> Status.Code.NOT_FOUND;
            case ALREADY_EXISTS -> Status.Code.ALREADY_EXISTS;
            case FAILED_PRECONDITION -> Status.Code.FAILED_PRECONDITION;
            case UNAVAILABLE -> Status.Code.UNAVAILABLE;
            case UNAUTHENTICATED -> Status.Code.UNAUTHENTICATED;
            case PERMISSION_DENIED -> Status.Code.PERMISSION_DENIED;
            case RESOURCE_EXHAUSTED -> Status.Code.RESOURCE_EXHAUSTED;
            case INTERNAL -> Status.Code.INTERNAL;
        };
    }

    /** Catches exceptions thrown by handlers and closes the call with the mapped status. */
    public static ServerInterceptor interceptor() {
        return new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
                ServerCall.Listener<Q> delegate;
                try {
                    delegate = next.startCall(call, headers);
                } catch (RuntimeException e) {
                    // Closed when the request is in: the transport has no listener yet during startCall.
                    return new ServerCall.Listener<>() {
                        @Override
                        public void onHalfClose() {
                            closeWith(call, e);
                        }
                    };
                }
                return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(delegate) {
                    @Override
                    public void onMessage(Q message) {
                        try {
                            super.onMessage(message);
                        } catch (RuntimeException e) {
                            closeWith(call, e);
                        }
                    }

                    @Override
                    public void onHalfClose() {
                        try {
                            super.onHalfClose();
                        } catch (RuntimeException e) {
                            closeWith(call, e);
                        }
                    }
                };
            }
        };
    }

    /**
     * Refuses a call from an interceptor (no or bad credentials, missing scope). The status is sent when the client's request
     * has arrived (its half-close), not from inside {@code interceptCall}: Helidon 4.4's gRPC handler can receive the client's
     * reset of a call closed that early before it has stored the call's listener, and then fails the whole connection
     * (NullPointerException on {@code listener.onCancel()}), breaking the client's other calls on it with INTERNAL.
     */
    static <Q> ServerCall.Listener<Q> refuse(ServerCall<Q, ?> call, CofferException refusal) {
        StatusRuntimeException mapped = toStatus(refusal); // the same ErrorInfo contract as every other error
        Status status = mapped.getStatus();
        Metadata trailers = mapped.getTrailers() == null ? new Metadata() : mapped.getTrailers();
        java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
        call.request(2); // nobody else asks for the request here; without it the half-close would never be delivered
        return new ServerCall.Listener<>() {
            @Override
            public void onHalfClose() {
                if (closed.compareAndSet(false, true)) {
                    try {
                        call.close(status, trailers);
                    } catch (IllegalStateException alreadyClosed) {
                        LOG.log(Level.FINE, "call already closed when refusing it", alreadyClosed);
                    }
                }
            }

            @Override
            public void onCancel() {
                closed.set(true);
            }
        };
    }

    private static void closeWith(ServerCall<?, ?> call, RuntimeException e) {
        if (clientGone(e)) {
            // Answering a client that already left (its deadline passed, it cancelled, its connection closed): how calls end,
            // not an error of the node, and nothing to answer.
            LOG.log(Level.FINE, "the client left before its answer was written", e);
            return;
        }
        StatusRuntimeException s = toStatus(e);
        Metadata trailers = s.getTrailers() == null ? new Metadata() : s.getTrailers();
        try {
            call.close(s.getStatus(), trailers);
        } catch (RuntimeException alreadyClosed) {
            // Closed meanwhile, or its connection is gone: no one to tell, and never an exception back into the transport.
            LOG.log(Level.FINE, "call already closed when mapping an error", alreadyClosed);
        }
    }

    /** Whether {@code t} says the client's connection is gone (a write to it failed), rather than anything of the node's. */
    static boolean clientGone(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof java.nio.channels.ClosedChannelException || c instanceof java.net.SocketException) {
                return true;
            }
            if (c instanceof java.io.IOException && c.getMessage() != null
                    && (c.getMessage().contains("Broken pipe") || c.getMessage().contains("Connection reset"))) {
                return true;
            }
            if (c instanceof StatusRuntimeException sre && sre.getStatus().getCode() == Status.Code.CANCELLED) {
                return true;
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return false;
    }
}
