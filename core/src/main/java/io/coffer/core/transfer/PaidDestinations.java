package io.coffer.core.transfer;

import io.coffer.core.store.Batch;
import io.coffer.core.store.KeyWriter;
import io.coffer.core.store.Store;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The destinations each tenant has paid on each chain ({@link TransferTables#PAID_DESTINATIONS}), and the same filed by their
 * look-alike signature ({@link TransferTables#PAID_LOOKALIKES}): what the anomaly rules ask — was this address paid before,
 * does it look like one that was — answered by reading one key and the few destinations sharing its signature, not every
 * destination the tenant ever paid (an exchange pays tens of thousands; the look-alike rule read all of them per transfer to a
 * new one).
 *
 * <p>Two addresses look alike when they differ yet share the first and last four characters after their type prefix (case
 * aside): what an address-poisoning attacker grinds a vanity address to match, hoping the victim checks only the ends.
 */
final class PaidDestinations {
    private PaidDestinations() {
    }

    /** Whether {@code address} was paid by the tenant on {@code chain} (by a written transfer). */
    static boolean known(Store store, String tenant, String chain, String address) {
        return store.get(TransferTables.PAID_DESTINATIONS, new TransferTables.TenantDestination(tenant, chain, address)).isPresent();
    }

    /** Adds the writes that record {@code address} as paid from {@code atMillis} to {@code b} (the caller knows it is new). */
    static void record(Batch b, String tenant, String chain, String address, long atMillis) {
        b.put(TransferTables.PAID_DESTINATIONS, new TransferTables.TenantDestination(tenant, chain, address), atMillis);
        signature(address).ifPresent(sig -> b.put(TransferTables.PAID_LOOKALIKES,
                new TransferTables.PaidLookalike(tenant, chain, sig, address), ""));
    }

    /**
     * A destination paid before that {@code address} looks like: the first of {@code unwritten} (paid by transfers not yet
     * written), else the first written one in address order; empty when none.
     */
    static Optional<String> resembled(Store store, String tenant, String chain, String address, List<String> unwritten) {
        Optional<String> sig = signature(address);
        if (sig.isEmpty()) {
            return Optional.empty();
        }
        for (String paid : unwritten) {
            if (lookAlike(paid, address)) {
                return Optional.of(paid);
            }
        }
        byte[] prefix = KeyWriter.key().string(tenant).string(chain).string(sig.get()).build();
        // The bucket holds only addresses the tenant paid, each once (destinations are stored normalised): the address itself is
        // not among them (it would be known, and no rule asks), so the first that differs from it in more than case answers.
        for (var e : store.list(TransferTables.PAID_LOOKALIKES, TransferTables.PAID_LOOKALIKES.prefix(prefix), 8)) {
            if (!e.getKey().address().equalsIgnoreCase(address)) {
                return Optional.of(e.getKey().address());
            }
        }
        return Optional.empty();
    }

    static boolean lookAlike(String a, String b) {
        if (a.equalsIgnoreCase(b)) {
            return false;
        }
        Optional<String> x = signature(a);
        return x.isPresent() && x.equals(signature(b));
    }

    /** The first and last four characters of the address's body in lower case; empty when the body is shorter than eight. */
    static Optional<String> signature(String address) {
        String body = body(address).toLowerCase(Locale.ROOT);
        return body.length() < 8 ? Optional.empty() : Optional.of(body.substring(0, 4) + "." + body.substring(body.length() - 4));
    }

    private static String body(String address) {
        int sep = address.lastIndexOf('1');
        if (address.startsWith("0x") || address.startsWith("0X")) {
            return address.substring(2);
        }
        return sep > 0 && sep + 2 < address.length() && address.substring(0, sep).chars().allMatch(Character::isLetter)
                ? address.substring(sep + 2) : address; // bech32: after "hrp1" and the witness version
    }

    /** The schema's migration to the look-alike index: files every destination recorded so far. */
    static void index(Store store, Batch batch) {
        store.forEach(TransferTables.PAID_DESTINATIONS.all(), TransferTables.PAID_DESTINATIONS, (d, paid) ->
                signature(d.address()).ifPresent(sig -> batch.put(TransferTables.PAID_LOOKALIKES,
                        new TransferTables.PaidLookalike(d.tenant(), d.chain(), sig, d.address()), "")));
    }
}
