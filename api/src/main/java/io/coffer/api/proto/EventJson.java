package io.coffer.api.proto;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.coffer.core.chain.Deposit;
import io.coffer.core.event.StoredEvent;
import io.coffer.core.payment.PaymentEvents;
import io.coffer.core.payment.PaymentRequestService;
import com.google.protobuf.Descriptors;
import io.coffer.proto.v1.Event;
import io.coffer.proto.v1.EventType;
import java.util.Map;
import java.util.Optional;

/**
 * The wire form of events: subjects rendered as proto3 JSON when the event is written (the stored body is what webhooks POST),
 * and stored bodies read back into {@link Event} for the stream. One JSON mapping for both, so they can never disagree.
 */
public final class EventJson implements PaymentEvents.Renderer, io.coffer.core.transfer.TransferService.Renderer {
    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().omittingInsignificantWhitespace();
    // Bodies written by a newer build may carry fields this one does not know.
    private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();
    /** How many rendered subjects are kept (a 300-payment block renders 600; about 2 KiB each). */
    private static final int KEEP_RENDERED = 4096;
    /**
     * Subjects this process rendered, by their JSON: a stream turns a new event back into its message without parsing (a
     * block's 600 events parsed one after another cost ~0.25 ms each on the way to the merchant, ~150 ms in all). Keyed by
     * content, so every node of the process may share it: the same JSON is the same message.
     */
    private static final Map<String, Message> RENDERED = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(256, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Message> eldest) {
                    return size() > KEEP_RENDERED;
                }
            });
    /** The field of the {@code subject} oneof each type's subject goes in. */
    private static final Map<io.coffer.core.event.EventType, Descriptors.FieldDescriptor> SUBJECT = subjectFields();

    private final Protos protos;

    public EventJson(Protos protos) {
        this.protos = protos;
    }

    @Override
    public String transfer(io.coffer.core.transfer.TransferService.View view) {
        return print(protos.transfer(view));
    }

    @Override
    public String paymentRequest(PaymentRequestService.View view) {
        return print(protos.paymentRequest(view));
    }

    @Override
    public String deposit(Deposit d, String paymentRequestId) {
        return print(Protos.depositEvent(d, paymentRequestId));
    }

    /** The stored event as the proto message: from the subject rendered by this process when kept, else parsed from the body. */
    public static Event toProto(StoredEvent e) {
        Optional<Message> subject = keptSubject(e);
        if (subject.isEmpty()) {
            return parse(e);
        }
        Event kept = Event.newBuilder().setId(e.id()).setSequence(e.sequence()).setType(EventType.valueOf(e.type().protoName()))
                .setCreatedAt(Protos.timestamp(e.createdAt())).setField(SUBJECT.get(e.type()), subject.get()).build();
        assert kept.equals(parse(e)) : "event " + e.id() + ": the kept subject differs from its body";
        return kept;
    }

    /** Whether {@code e}'s subject is one this process rendered and still keeps (read back without parsing). */
    static boolean kept(StoredEvent e) {
        return keptSubject(e).isPresent();
    }

    /** {@code e}'s subject as this process rendered it, when still kept and of the message type {@code e}'s type carries. */
    private static Optional<Message> keptSubject(StoredEvent e) {
        return subjectJson(e).map(RENDERED::get).filter(m -> m.getDescriptorForType() == SUBJECT.get(e.type()).getMessageType());
    }

    /**
     * The subject's JSON inside the body {@code EventOutbox} wrote: {@code {"id":…,"sequence":…,"type":…,"createdAt":…,
     * "<subject field>":<subject>}}. The first occurrence of the field's key is the envelope's own, for no value before it can
     * hold a quote.
     */
    private static Optional<String> subjectJson(StoredEvent e) {
        String key = "\"" + e.type().subjectField() + "\":";
        String body = e.body();
        int at = body.indexOf(key);
        if (at < 0 || !body.endsWith("}")) {
            return Optional.empty();
        }
        return Optional.of(body.substring(at + key.length(), body.length() - 1));
    }

    private static Map<io.coffer.core.event.EventType, Descriptors.FieldDescriptor> subjectFields() {
        Map<io.coffer.core.event.EventType, Descriptors.FieldDescriptor> out = new java.util.EnumMap<>(io.coffer.core.event.EventType.class);
        for (io.coffer.core.event.EventType t : io.coffer.core.event.EventType.values()) {
            out.put(t, Event.getDescriptor().getFields().stream().filter(f -> f.getJsonName().equals(t.subjectField())).findFirst()
                    .orElseThrow(() -> new IllegalStateException("coffer.v1.Event has no subject field " + t.subjectField())));
        }
        return out;
    }

    private static Event parse(StoredEvent e) {
        Event.Builder b = Event.newBuilder();
        try {
            PARSER.merge(e.body(), b);
        } catch (InvalidProtocolBufferException ex) {
            throw new IllegalStateException("stored event " + e.id() + " is not valid JSON of coffer.v1.Event", ex);
        }
        return b.build();
    }

    private static String print(Message m) {
        try {
            String json;
            if (m instanceof io.coffer.proto.v1.PaymentRequest p) {
                json = SubjectJson.paymentRequest(p);
                assert json.equals(PRINTER.print(m)) : "SubjectJson differs from JsonFormat: " + json + " vs " + PRINTER.print(m);
            } else if (m instanceof io.coffer.proto.v1.DepositEvent d) {
                json = SubjectJson.deposit(d);
                assert json.equals(PRINTER.print(m)) : "SubjectJson differs from JsonFormat: " + json + " vs " + PRINTER.print(m);
            } else {
                json = PRINTER.print(m);
            }
            RENDERED.put(json, m);
            return json;
        } catch (InvalidProtocolBufferException ex) {
            throw new IllegalStateException("cannot render " + m.getDescriptorForType().getFullName(), ex);
        }
    }
}
