package io.coffer.api.grpc;

import io.coffer.api.proto.Protos;
import io.coffer.core.error.CofferException;
import io.coffer.core.error.ErrorKind;
import io.coffer.core.event.EventOutbox;
import io.coffer.core.event.StoredEvent;
import io.coffer.core.event.Webhook;
import io.coffer.core.event.WebhookService;
import io.coffer.core.tenant.TenantService;
import io.coffer.proto.v1.Event;
import io.coffer.proto.v1.EventType;
import io.coffer.proto.v1.EventsGrpc;
import io.coffer.proto.v1.GetWebhookRequest;
import io.coffer.proto.v1.ListEventsRequest;
import io.coffer.proto.v1.ListEventsResponse;
import io.coffer.proto.v1.ListWebhookDeliveriesRequest;
import io.coffer.proto.v1.ListWebhookDeliveriesResponse;
import io.coffer.proto.v1.RedeliverEventRequest;
import io.coffer.proto.v1.SetWebhookRequest;
import io.coffer.proto.v1.StreamEventsRequest;
import io.coffer.proto.v1.WebhookDelivery;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * {@code coffer.v1.Events}: the tenant's event stream and history, and its webhook. Events come from the outbox; this class
 * only reads them and converts stored JSON back to {@link Event}.
 */
public final class EventsService extends EventsGrpc.EventsImplBase {
    public static final Set<String> IMPLEMENTED = Set.of(EventsGrpc.getStreamEventsMethod().getFullMethodName(),
            EventsGrpc.getListEventsMethod().getFullMethodName(), EventsGrpc.getSetWebhookMethod().getFullMethodName(),
            EventsGrpc.getGetWebhookMethod().getFullMethodName(), EventsGrpc.getListWebhookDeliveriesMethod().getFullMethodName(),
            EventsGrpc.getRedeliverEventMethod().getFullMethodName());
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(EventsService.class.getName());
    private static final AtomicInteger OPEN_STREAMS = new AtomicInteger();

    static {
        io.helidon.metrics.api.Metrics.globalRegistry().getOrCreate(io.helidon.metrics.api.Gauge.builder("coffer.events.streams.open",
                OPEN_STREAMS::get).description("StreamEvents calls open now"));
    }

    /** How long a quiet stream waits before re-checking that the client and the node are still there. */
    private static final long IDLE_CHECK_MILLIS = 1000;

    private final EventOutbox outbox;
    private final WebhookService webhooks;
    private final BooleanSupplier serving;

    /** @param serving false once the node is stopping: open streams end (the client resumes elsewhere or later) */
    private final io.coffer.core.operator.OperatorService operators;

    public EventsService(EventOutbox outbox, WebhookService webhooks, BooleanSupplier serving, io.coffer.core.operator.OperatorService operators) {
        this.operators = operators;
        this.outbox = outbox;
        this.webhooks = webhooks;
        this.serving = serving;
    }

    @Override
    public void streamEvents(StreamEventsRequest r, StreamObserver<Event> out) {
        ServerCallStreamObserver<Event> call = out instanceof ServerCallStreamObserver<Event> s ? s : null;
        AtomicBoolean gone = new AtomicBoolean();
        Object ready = new Object();
        if (call != null) {
            // The client cancelled or its connection is gone: release the stream now, not at the tenant's next event.
            call.setOnCancelHandler(() -> {
                gone.set(true);
                outbox.wake();
                synchronized (ready) {
                    ready.notifyAll();
                }
            });
            // Flow control: a slow consumer is sent what its transport can take, not buffered without bound in the node.
            call.setOnReadyHandler(() -> {
                synchronized (ready) {
                    ready.notifyAll();
                }
            });
        }
        TransportGuard.Liveness connection = TransportGuard.LIVENESS.get();
        BooleanSupplier left = () -> gone.get() || call != null && call.isCancelled();
        OPEN_STREAMS.incrementAndGet();
        try {
            String tenant = ApiKeyAuth.principal().tenant().id();
            long cursor = afterSequence(tenant, r.getAfterSequence());
            Set<EventType> types = types(r.getTypesList(), r.getTypesValueList());
            while (serving.getAsBoolean() && !left.getAsBoolean()) {
                List<StoredEvent> batch = outbox.after(tenant, cursor, 200);
                for (StoredEvent e : batch) {
                    Event ev = proto(e);
                    if (types.isEmpty() || types.contains(ev.getType())) {
                        awaitReady(call, ready, left);
                        if (left.getAsBoolean()) {
                            return;
                        }
                        try {
                            out.onNext(ev);
                        } catch (RuntimeException writeFailed) {
                            // onNext only writes to the client's connection: failing, it says the client is gone (a closed
                            // channel, a call already closed). That is how streams end, not an error of the node.
                            LOG.fine(() -> "event stream of tenant " + tenant + " ended by its client at sequence " + e.sequence()
                                    + " (" + writeFailed.getClass().getSimpleName() + ")");
                            return;
                        }
                    }
                    cursor = e.sequence();
                }
                if (batch.isEmpty() && !outbox.await(tenant, cursor, IDLE_CHECK_MILLIS, left) && connection != null && !connection.alive()) {
                    LOG.fine(() -> "event stream of tenant " + tenant + ": its client's connection is gone");
                    return;
                }
            }
            if (!left.getAsBoolean()) {
                end(out, io.grpc.Status.UNAVAILABLE.withDescription("the node is stopping; resume with after_sequence=" + cursor)
                        .asRuntimeException());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            end(out, io.grpc.Status.UNAVAILABLE.withDescription("the node is stopping").asRuntimeException());
        } catch (RuntimeException e) {
            end(out, ErrorMapper.toStatus(e));
        } finally {
            OPEN_STREAMS.decrementAndGet();
        }
    }

    /**
     * The message of a stored event, made once for all the streams that send it (a tenant's streams all send every new event:
     * parsing its JSON once per stream made fan-out to many streams cost as many parses). The newest few thousand are kept.
     */
    private final Map<String, Event> messages = java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Event> eldest) {
            return size() > 4096;
        }
    });

    private Event proto(StoredEvent e) {
        // Made under the map's lock: the streams a new event wakes all ask at once, and each that missed made its own (in a
        // profile of 2,000 streams, a tenth of their CPU went to converting the same events again).
        return messages.computeIfAbsent(e.id(), id -> io.coffer.api.proto.EventJson.toProto(e));
    }

    /** Event streams open in this process (a gauge for operators, and how tests see a stream released). */
    public static int openStreams() {
        return OPEN_STREAMS.get();
    }

    private void awaitReady(ServerCallStreamObserver<Event> call, Object ready, BooleanSupplier left) throws InterruptedException {
        if (call == null) {
            return;
        }
        synchronized (ready) {
            while (!call.isReady() && !left.getAsBoolean() && serving.getAsBoolean()) {
                ready.wait(IDLE_CHECK_MILLIS);
            }
        }
    }

    /** Ends a stream whose connection may already be gone (the client left, or the server is closing its connections). */
    private static void end(StreamObserver<Event> out, RuntimeException status) {
        try {
            out.onError(status);
        } catch (RuntimeException gone) {
            // Nobody left to tell.
        }
    }

    @Override
    public void listEvents(ListEventsRequest r, StreamObserver<ListEventsResponse> out) {
        ErrorMapper.answer(out, () -> {
            String tenant = ApiKeyAuth.principal().tenant().id();
            long after = afterSequence(tenant, r.getAfterSequence());
            if (r.getLimit() < 0 || r.getLimit() > 500) {
                throw CofferException.invalid("limit", "LIMIT_OUT_OF_RANGE", "1 to 500, or 0 for 50");
            }
            ListEventsResponse.Builder b = ListEventsResponse.newBuilder().setLatestSequence(outbox.latest(tenant));
            outbox.after(tenant, after, r.getLimit() == 0 ? 50 : r.getLimit()).forEach(e -> b.addEvents(io.coffer.api.proto.EventJson.toProto(e)));
            return b.build();
        });
    }

    @Override
    public void setWebhook(SetWebhookRequest r, StreamObserver<io.coffer.proto.v1.Webhook> out) {
        ErrorMapper.answer(out, () -> {
            TenantService.Principal p = ApiKeyAuth.principal();
            ApiKeyAuth.requireBoundTotp(operators, "webhook change");
            Webhook w = webhooks.set(p.tenant().id(), r.getUrl(), r.getRotateSecret(), outbox.latest(p.tenant().id()) + 1, p.key().id());
            return Protos.webhook(w).toBuilder().setSecret(w.secret()).build();
        });
    }

    @Override
    public void getWebhook(GetWebhookRequest r, StreamObserver<io.coffer.proto.v1.Webhook> out) {
        ErrorMapper.answer(out, () -> Protos.webhook(webhooks.get(ApiKeyAuth.principal().tenant().id())
                .orElseThrow(() -> new CofferException(ErrorKind.NOT_FOUND, "WEBHOOK_NOT_SET", null, "no webhook is set", Map.of(), null))));
    }

    @Override
    public void listWebhookDeliveries(ListWebhookDeliveriesRequest r, StreamObserver<ListWebhookDeliveriesResponse> out) {
        ErrorMapper.answer(out, () -> {
            var page = webhooks.deliveries(ApiKeyAuth.principal().tenant().id(), r.getOnlyFailed(),
                    PageTokens.sequence(r.getPage().getPageToken()), RequestFields.pageSize(r.getPage().getPageSize()));
            return ListWebhookDeliveriesResponse.newBuilder().addAllDeliveries(page.items().stream().map(Protos::webhookDelivery).toList())
                    .setNextPageToken(PageTokens.sequence(page.next())).build();
        });
    }

    @Override
    public void redeliverEvent(RedeliverEventRequest r, StreamObserver<WebhookDelivery> out) {
        ErrorMapper.answer(out, () -> {
            if (r.getEventId().length() > 64) {
                throw CofferException.invalid("event_id", "FIELD_TOO_LONG", "at most 64 characters");
            }
            TenantService.Principal p = ApiKeyAuth.principal();
            return Protos.webhookDelivery(webhooks.redeliver(p.tenant().id(), r.getEventId(), p.key().id()));
        });
    }

    private long afterSequence(String tenant, long after) {
        long latest = outbox.latest(tenant);
        // uint64 arrives signed: 2^63 and above are negative here, and beyond the newest event anyway.
        if (after < 0 || after > latest) {
            throw CofferException.invalid("after_sequence", "SEQUENCE_AHEAD", "beyond the newest event (" + latest + ")");
        }
        return after;
    }

    private static Set<EventType> types(List<EventType> types, List<Integer> values) {
        Set<EventType> out = EnumSet.noneOf(EventType.class);
        out.addAll(RequestFields.known("types", types, values));
        return out;
    }

}
