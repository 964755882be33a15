package io.coffer.api.grpc;

import com.google.protobuf.Timestamp;
import io.coffer.core.error.CofferException;
import java.util.List;

/**
 * Checks of the request fields every service shares (pages, timestamps), each refusing with INVALID_ARGUMENT naming the field
 * rather than letting a client's value become an internal error.
 */
final class RequestFields {
    private RequestFields() {
    }

    /**
     * The one rule for the enum fields of every request: a number this version of the API does not define is INVALID_ARGUMENT
     * {@code ENUM_VALUE_UNKNOWN} naming the field (a client built from a newer contract learns it at once instead of being
     * answered as if it had not asked); so is UNSPECIFIED (0) where the field has no default ({@code allowUnspecified} false:
     * the entries of a filter, a required choice).
     */
    static <E extends com.google.protobuf.ProtocolMessageEnum> E known(String field, E value, int number, boolean allowUnspecified) {
        com.google.protobuf.Descriptors.EnumDescriptor type = value.getDescriptorForType();
        boolean defined = type.findValueByNumber(number) != null;
        if (!defined || number == 0 && !allowUnspecified) {
            String names = type.getValues().stream().filter(v -> v.getNumber() != 0).map(v -> v.getName())
                    .collect(java.util.stream.Collectors.joining(", "));
            throw CofferException.invalid(field, "ENUM_VALUE_UNKNOWN", (defined ? "a value is required" : "unknown value " + number)
                    + "; one of " + names);
        }
        return value;
    }

    /** {@link #known} for each entry of a repeated enum field (a filter: UNSPECIFIED is refused). */
    static <E extends com.google.protobuf.ProtocolMessageEnum> List<E> known(String field, List<E> values, List<Integer> numbers) {
        for (int i = 0; i < values.size(); i++) {
            known(field, values.get(i), numbers.get(i), false);
        }
        return values;
    }


    /** A page size from its uint32 field (which Java reads signed: 2^31 and above arrive negative). */
    static int pageSize(int requested) {
        if (requested < 0 || requested > 500) {
            throw CofferException.invalid("page.page_size", "PAGE_SIZE_TOO_LARGE", "at most 500");
        }
        return requested == 0 ? 50 : requested;
    }


    /**
     * A client's Timestamp as an Instant, inside the range protobuf defines (0001-01-01 to 9999-12-31, nanos 0 to
     * 999,999,999); anything else is the client's mistake, named by {@code field}, not an internal error.
     */
    static java.time.Instant instant(Timestamp t, String field) {
        if (t.getSeconds() < -62_135_596_800L || t.getSeconds() > 253_402_300_799L || t.getNanos() < 0 || t.getNanos() > 999_999_999) {
            throw CofferException.invalid(field, "TIMESTAMP_OUT_OF_RANGE", "seconds from 0001-01-01 to 9999-12-31, nanos 0 to 999999999");
        }
        return java.time.Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
    }

}
