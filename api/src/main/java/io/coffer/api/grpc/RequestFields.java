package io.coffer.api.grpc;

import com.google.protobuf.Timestamp;
import io.coffer.core.error.CofferException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
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

    /**
     * The cursor a page token carries: where the previous page of a newest-first list ended (its creation time and id). The
     * tenant is the caller's, never the token's, so a token can only ever page through its caller's own records.
     */
    static java.util.Optional<io.coffer.core.tenant.TenantTables.TenantTime> cursor(String tenant, String token) {
        if (token.isEmpty()) {
            return java.util.Optional.empty();
        }
        try {
            String s = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.US_ASCII);
            java.util.regex.Matcher m = CURSOR.matcher(s);
            if (!m.matches()) {
                throw new IllegalArgumentException();
            }
            return java.util.Optional.of(new io.coffer.core.tenant.TenantTables.TenantTime(tenant, Long.parseLong(m.group(1)), m.group(2)));
        } catch (RuntimeException e) {
            throw CofferException.invalid("page.page_token", "PAGE_TOKEN_INVALID", "not a token from a previous reply");
        }
    }

    /** The page token of {@code next}, "" at the end. */
    static String cursorToken(java.util.Optional<io.coffer.core.tenant.TenantTables.TenantTime> next) {
        return next.map(k -> Base64.getUrlEncoder().withoutPadding().encodeToString(("c1:" + k.createdMillis() + ":" + k.id())
                .getBytes(StandardCharsets.US_ASCII))).orElse("");
    }

    /** The cursor of a ListHistory page token (the account is the caller's, never the token's). */
    static java.util.Optional<io.coffer.core.chain.ChainTables.AccountActivity> historyCursor(int account, String token) {
        if (token.isEmpty()) {
            return java.util.Optional.empty();
        }
        try {
            java.util.regex.Matcher m = HISTORY_CURSOR.matcher(new String(Base64.getUrlDecoder().decode(token), StandardCharsets.US_ASCII));
            if (!m.matches()) {
                throw new IllegalArgumentException();
            }
            return java.util.Optional.of(new io.coffer.core.chain.ChainTables.AccountActivity(account, Long.parseLong(m.group(1)), m.group(2),
                    io.coffer.core.chain.ChainTables.ActivityKind.valueOf(m.group(3)), m.group(4)));
        } catch (RuntimeException e) {
            throw CofferException.invalid("page.page_token", "PAGE_TOKEN_INVALID", "not a token from a previous reply");
        }
    }

    static String historyToken(java.util.Optional<io.coffer.core.chain.ChainTables.AccountActivity> next) {
        return next.map(k -> Base64.getUrlEncoder().withoutPadding().encodeToString(("h1:" + k.atMillis() + ":" + k.chain() + ":" + k.kind()
                + ":" + k.id()).getBytes(StandardCharsets.US_ASCII))).orElse("");
    }

    /** The cursor of a sequence-ordered list's page token (webhook deliveries): the sequence the previous page ended at. */
    static java.util.Optional<Long> sequenceCursor(String token) {
        if (token.isEmpty()) {
            return java.util.Optional.empty();
        }
        try {
            java.util.regex.Matcher m = SEQUENCE_CURSOR.matcher(new String(Base64.getUrlDecoder().decode(token), StandardCharsets.US_ASCII));
            if (!m.matches()) {
                throw new IllegalArgumentException();
            }
            return java.util.Optional.of(Long.parseLong(m.group(1)));
        } catch (RuntimeException e) {
            throw CofferException.invalid("page.page_token", "PAGE_TOKEN_INVALID", "not a token from a previous reply");
        }
    }

    static String sequenceToken(java.util.Optional<Long> next) {
        return next.map(k -> Base64.getUrlEncoder().withoutPadding().encodeToString(("s1:" + k).getBytes(StandardCharsets.US_ASCII)))
                .orElse("");
    }

    private static final java.util.regex.Pattern SEQUENCE_CURSOR = java.util.regex.Pattern.compile("s1:([0-9]{1,18})");

    /** The cursor of a ListDepositAddresses page token. */
    static java.util.Optional<io.coffer.core.wallet.AccountService.AddressCursor> addressCursor(String token) {
        if (token.isEmpty()) {
            return java.util.Optional.empty();
        }
        try {
            java.util.regex.Matcher m = ADDRESS_CURSOR.matcher(new String(Base64.getUrlDecoder().decode(token), StandardCharsets.US_ASCII));
            if (!m.matches()) {
                throw new IllegalArgumentException();
            }
            return java.util.Optional.of(new io.coffer.core.wallet.AccountService.AddressCursor(m.group(1), Integer.parseInt(m.group(2))));
        } catch (RuntimeException e) {
            throw CofferException.invalid("page.page_token", "PAGE_TOKEN_INVALID", "not a token from a previous reply");
        }
    }

    static String addressToken(java.util.Optional<io.coffer.core.wallet.AccountService.AddressCursor> next) {
        return next.map(k -> Base64.getUrlEncoder().withoutPadding().encodeToString(("a1:" + k.chain() + ":" + k.index())
                .getBytes(StandardCharsets.US_ASCII))).orElse("");
    }

    private static final java.util.regex.Pattern ADDRESS_CURSOR = java.util.regex.Pattern.compile("a1:([a-z][a-z0-9-]{0,31}):([0-9]{1,9})");

    private static final java.util.regex.Pattern HISTORY_CURSOR = java.util.regex.Pattern.compile(
            "h1:([0-9]{1,18}):([a-z][a-z0-9-]{0,31}):(DEPOSIT|WITHDRAWAL):([0-9A-Za-z_]{1,100}(?::[0-9]{1,10})?)");

    private static final java.util.regex.Pattern CURSOR = java.util.regex.Pattern.compile("c1:([0-9]{1,18}):([a-z]{2,3}_[0-9a-f]{1,32})");

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
