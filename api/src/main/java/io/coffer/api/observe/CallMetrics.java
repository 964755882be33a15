package io.coffer.api.observe;

import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.Metrics;
import io.helidon.metrics.api.Tag;
import io.helidon.metrics.api.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts every gRPC call by method and status code ({@code coffer_grpc_calls_total}) and times it by method in a histogram
 * ({@code coffer_grpc_call_seconds}). Meters are looked up once per method and code (the set is bounded by the contract), not
 * per call: the API benchmark measures calls at tens of thousands a second.
 */
public final class CallMetrics implements ServerInterceptor {
    private static final CallMetrics INSTANCE = new CallMetrics();
    private static final Duration[] BUCKETS = {Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(25), Duration.ofMillis(100),
        Duration.ofMillis(500), Duration.ofMillis(2500), Duration.ofSeconds(10)};

    /** Per method: its timer and its counters by status code (no key built per call). */
    private record MethodMeters(Timer timer, Map<Status.Code, Counter> calls) {
    }

    private final Map<String, MethodMeters> methods = new ConcurrentHashMap<>();

    private CallMetrics() {
    }

    /** One per JVM: the metrics registry is global. */
    public static CallMetrics interceptor() {
        return INSTANCE;
    }

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
        long start = System.nanoTime();
        String method = call.getMethodDescriptor().getFullMethodName();
        return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                record(method, status.getCode(), System.nanoTime() - start);
                super.close(status, trailers);
            }
        }, headers);
    }

    private void record(String method, Status.Code code, long nanos) {
        MethodMeters m = methods.get(method);
        if (m == null) {
            m = methods.computeIfAbsent(method, k -> new MethodMeters(Metrics.globalRegistry().getOrCreate(Timer.builder("coffer.grpc.call")
                    .tags(List.of(Tag.create("method", method))).buckets(BUCKETS)
                    .description("gRPC call time from its start to its answer, by method")), new ConcurrentHashMap<>()));
        }
        Counter c = m.calls().get(code);
        if (c == null) {
            c = m.calls().computeIfAbsent(code, k -> Metrics.globalRegistry().getOrCreate(Counter.builder("coffer.grpc.calls")
                    .tags(List.of(Tag.create("method", method), Tag.create("code", code.name())))
                    .description("gRPC calls answered, by method and status code")));
        }
        c.increment();
        m.timer().record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }
}
