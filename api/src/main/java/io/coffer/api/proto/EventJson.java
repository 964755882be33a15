package io.coffer.api.proto;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.coffer.core.chain.Deposit;
import io.coffer.core.event.StoredEvent;
import io.coffer.core.payment.PaymentEvents;
import io.coffer.core.payment.PaymentRequestService;
import io.coffer.proto.v1.Event;

/**
 * The wire form of events: subjects rendered as proto3 JSON when the event is written (the stored body is what webhooks POST),
 * and stored bodies read back into {@link Event} for the stream. One JSON mapping for both, so they can never disagree.
 */
public final class EventJson implements PaymentEvents.Renderer, io.coffer.core.transfer.TransferService.Renderer {
    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().omittingInsignificantWhitespace();
    // Bodies written by a newer build may carry fields this one does not know.
    private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();

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

    /** The stored event as the proto message. */
    public static Event toProto(StoredEvent e) {
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
            return PRINTER.print(m);
        } catch (InvalidProtocolBufferException ex) {
            throw new IllegalStateException("cannot render " + m.getDescriptorForType().getFullName(), ex);
        }
    }
}
