package io.coffer.api.proto;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.JsonFormat;
import io.coffer.proto.v1.Amount;
import io.coffer.proto.v1.DepositEvent;
import io.coffer.proto.v1.Payment;
import io.coffer.proto.v1.PaymentRequest;
import io.coffer.proto.v1.PaymentRequestStatus;
import io.coffer.proto.v1.TxStatus;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** {@link SubjectJson} prints what protobuf's JsonFormat prints, byte for byte, for every field and for random messages. */
class SubjectJsonTest {
    private static final JsonFormat.Printer JSON_FORMAT = JsonFormat.printer().omittingInsignificantWhitespace();

    private static void same(Message m, Function<Message, String> fast) throws Exception {
        assertEquals(JSON_FORMAT.print(m), fast.apply(m), m.getDescriptorForType().getName() + ": " + m);
    }

    private static String fast(Message m) {
        return m instanceof PaymentRequest p ? SubjectJson.paymentRequest(p) : SubjectJson.deposit((DepositEvent) m);
    }

    /**
     * Each field alone, then all at once, set from the descriptor: a field added to the message (or to Amount, Payment,
     * Timestamp inside it) and not to SubjectJson fails here.
     */
    @Test
    void everyFieldOfBothSubjectsAloneAndTogether() throws Exception {
        for (Message empty : new Message[] {PaymentRequest.getDefaultInstance(), DepositEvent.getDefaultInstance()}) {
            same(empty, SubjectJsonTest::fast);
            for (FieldDescriptor f : empty.getDescriptorForType().getFields()) {
                Message.Builder b = empty.newBuilderForType();
                fill(b, f);
                same(b.build(), SubjectJsonTest::fast);
            }
            Message.Builder all = empty.newBuilderForType();
            empty.getDescriptorForType().getFields().forEach(f -> fill(all, f));
            same(all.build(), SubjectJsonTest::fast);
        }
    }

    /** Sets {@code f} to a value other than its default (nested messages with every field set; one element for repeated). */
    private static void fill(Message.Builder b, FieldDescriptor f) {
        if (f.isMapField()) {
            Message.Builder entry = b.newBuilderForField(f);
            entry.getDescriptorForType().getFields().forEach(e -> fill(entry, e));
            b.addRepeatedField(f, entry.build());
            return;
        }
        Object v = switch (f.getJavaType()) {
            case STRING -> "s \"q\" <&'=> \\ \u2028\u2029 \u00e9\n\u0001";
            case INT -> -7; // uint32 fields print unsigned
            case LONG -> -9L;
            case BOOLEAN -> true;
            case ENUM -> f.getEnumType().getValues().get(f.getEnumType().getValues().size() - 1);
            case MESSAGE -> {
                if (f.getMessageType().getFullName().equals(Timestamp.getDescriptor().getFullName())) {
                    yield Timestamp.newBuilder().setSeconds(1_700_000_000L).setNanos(5_000).build();
                }
                Message.Builder nested = b.newBuilderForField(f);
                nested.getDescriptorForType().getFields().forEach(n -> fill(nested, n));
                yield nested.build();
            }
            default -> throw new IllegalStateException("a field type SubjectJson does not print: " + f.getFullName() + " " + f.getType());
        };
        if (f.isRepeated()) {
            b.addRepeatedField(f, v);
        } else {
            b.setField(f, v);
        }
    }

    @Test
    void randomSubjectsPrintAsJsonFormatPrintsThem() throws Exception {
        Random r = new Random(15);
        for (int i = 0; i < 3_000; i++) {
            PaymentRequest.Builder p = PaymentRequest.newBuilder().setId(text(r)).setStatus(PaymentRequestStatus.forNumber(r.nextInt(6)))
                    .setAddress(text(r)).setPaymentUri(text(r)).setRequiredConfirmations(r.nextInt(3) == 0 ? r.nextInt() : r.nextInt(7))
                    .setOrderId(text(r)).setDescription(text(r)).setFinal(r.nextBoolean()).setHasLatePayments(r.nextBoolean())
                    .setCheckoutUrl(text(r)).setRedirectUrl(text(r));
            if (r.nextBoolean()) {
                p.setAmount(amount(r)).setAmountPaid(amount(r));
            }
            if (r.nextBoolean()) {
                p.setAmountConfirmed(amount(r)).setOverpaid(amount(r));
            }
            if (r.nextBoolean()) {
                p.setCreatedAt(timestamp(r));
            }
            if (r.nextBoolean()) {
                p.setExpiresAt(timestamp(r));
            }
            for (int m = r.nextInt(4); m > 0; m--) {
                p.putMetadata(text(r), text(r));
            }
            for (int n = r.nextInt(3); n > 0; n--) {
                Payment.Builder pay = Payment.newBuilder().setDepositId(text(r)).setTxid(text(r)).setIndex(r.nextInt())
                        .setConfirmations(r.nextInt(10)).setStatus(TxStatus.forNumber(r.nextInt(6))).setLate(r.nextBoolean());
                if (r.nextBoolean()) {
                    pay.setAmount(amount(r)).setFirstSeen(timestamp(r));
                }
                p.addPayments(pay);
            }
            same(p.build(), SubjectJsonTest::fast);
            if (r.nextInt(10) == 0) {
                same(p.setStatusValue(99).build(), SubjectJsonTest::fast); // a status a newer build sent
            }
            DepositEvent.Builder d = DepositEvent.newBuilder().setDepositId(text(r)).setAddress(text(r)).setTxid(text(r))
                    .setIndex(r.nextInt()).setConfirmations(r.nextInt(100)).setStatus(TxStatus.forNumber(r.nextInt(6)))
                    .setPaymentRequestId(text(r)).setBlockHeight(r.nextInt(3) == 0 ? r.nextLong() : r.nextInt(1_000_000));
            if (r.nextBoolean()) {
                d.setAmount(amount(r));
            }
            same(d.build(), SubjectJsonTest::fast);
        }
    }

    private static Amount amount(Random r) {
        return Amount.newBuilder().setAsset(text(r)).setValue(Long.toString(r.nextLong() >>> 1)).build();
    }

    /** Seconds from year 1 to 9999; nanos whole, to the milli, to the micro, or any. */
    private static Timestamp timestamp(Random r) {
        long seconds = -62_135_596_800L + (long) (r.nextDouble() * 315_537_897_599L);
        int nanos = switch (r.nextInt(4)) {
            case 0 -> 0;
            case 1 -> r.nextInt(1000) * 1_000_000;
            case 2 -> r.nextInt(1_000_000) * 1_000;
            default -> r.nextInt(1_000_000_000);
        };
        return Timestamp.newBuilder().setSeconds(seconds).setNanos(nanos).build();
    }

    /** Empty often; otherwise ASCII with every control and HTML-significant character, and some of the rest of Unicode. */
    private static String text(Random r) {
        if (r.nextInt(4) == 0) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        for (int n = r.nextInt(12); n >= 0; n--) {
            int kind = r.nextInt(10);
            if (kind < 6) {
                b.append((char) r.nextInt(0x80));
            } else if (kind < 8) {
                b.append((char) (0x80 + r.nextInt(0x2100)));
            } else if (kind == 8) {
                b.append(r.nextBoolean() ? '\u2028' : '\u2029');
            } else {
                b.appendCodePoint(0x1F600 + r.nextInt(64));
            }
        }
        return b.toString();
    }
}
