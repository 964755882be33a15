package io.coffer.api.grpc;

import io.coffer.core.chain.ChainTables;
import io.coffer.core.error.CofferException;
import io.coffer.core.tenant.TenantTables;
import io.coffer.core.wallet.AccountService;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Page tokens: each list's cursor (where the previous page ended) as opaque URL-safe text, one form per list, each with its own
 * version prefix. A token never carries whose records it pages: the tenant or account is always the caller's, so a token can only
 * ever page through its caller's own records. Anything that is not a token this node wrote is PAGE_TOKEN_INVALID.
 */
final class PageTokens {
    private static final Pattern TENANT_TIME = Pattern.compile("c1:([0-9]{1,18}):([a-z]{2,3}_[0-9a-f]{1,32})");
    private static final Pattern HISTORY = Pattern.compile(
            "h1:([0-9]{1,18}):([a-z][a-z0-9-]{0,31}):(DEPOSIT|WITHDRAWAL):([0-9A-Za-z_]{1,100}(?::[0-9]{1,10})?)");
    private static final Pattern SEQUENCE = Pattern.compile("s1:([0-9]{1,18})");
    private static final Pattern ADDRESS = Pattern.compile("a1:([a-z][a-z0-9-]{0,31}):([0-9]{1,9})");

    private PageTokens() {
    }

    /** A tenant list's cursor (payment requests, transfers): the creation time and id the previous page ended at. */
    static Optional<TenantTables.TenantTime> tenantTime(String tenant, String token) {
        return decode(token, TENANT_TIME, m -> new TenantTables.TenantTime(tenant, Long.parseLong(m.group(1)), m.group(2)));
    }

    static String tenantTime(Optional<TenantTables.TenantTime> next) {
        return encode(next.map(k -> "c1:" + k.createdMillis() + ":" + k.id()));
    }

    /** ListHistory's cursor. */
    static Optional<ChainTables.AccountActivity> history(int account, String token) {
        return decode(token, HISTORY, m -> new ChainTables.AccountActivity(account, Long.parseLong(m.group(1)), m.group(2),
                ChainTables.ActivityKind.valueOf(m.group(3)), m.group(4)));
    }

    static String history(Optional<ChainTables.AccountActivity> next) {
        return encode(next.map(k -> "h1:" + k.atMillis() + ":" + k.chain() + ":" + k.kind() + ":" + k.id()));
    }

    /** A sequence-ordered list's cursor (webhook deliveries): the sequence the previous page ended at. */
    static Optional<Long> sequence(String token) {
        return decode(token, SEQUENCE, m -> Long.parseLong(m.group(1)));
    }

    static String sequence(Optional<Long> next) {
        return encode(next.map(k -> "s1:" + k));
    }

    /** ListDepositAddresses' cursor. */
    static Optional<AccountService.AddressCursor> address(String token) {
        return decode(token, ADDRESS, m -> new AccountService.AddressCursor(m.group(1), Integer.parseInt(m.group(2))));
    }

    static String address(Optional<AccountService.AddressCursor> next) {
        return encode(next.map(k -> "a1:" + k.chain() + ":" + k.index()));
    }

    private static <T> Optional<T> decode(String token, Pattern form, Function<Matcher, T> cursor) {
        if (token.isEmpty()) {
            return Optional.empty();
        }
        try {
            Matcher m = form.matcher(new String(Base64.getUrlDecoder().decode(token), StandardCharsets.US_ASCII));
            if (!m.matches()) {
                throw new IllegalArgumentException("not of the form");
            }
            return Optional.of(cursor.apply(m));
        } catch (RuntimeException e) {
            throw CofferException.invalid("page.page_token", "PAGE_TOKEN_INVALID", "not a token from a previous reply");
        }
    }

    /** "" at the end of a list. */
    private static String encode(Optional<String> text) {
        return text.map(t -> Base64.getUrlEncoder().withoutPadding().encodeToString(t.getBytes(StandardCharsets.US_ASCII))).orElse("");
    }
}
