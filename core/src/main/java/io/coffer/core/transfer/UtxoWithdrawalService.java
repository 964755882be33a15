package io.coffer.core.transfer;

import io.coffer.core.chain.AddressBook;
import io.coffer.core.chain.AddressInfo;
import io.coffer.core.chain.ChainSource;
import io.coffer.core.chain.ChainTables;
import io.coffer.core.chain.Deposit;
import io.coffer.core.chain.DepositId;
import io.coffer.core.custody.AccountScheme;
import io.coffer.core.custody.Signer;
import io.coffer.core.error.CofferException;
import io.coffer.core.error.ErrorKind;
import io.coffer.core.store.Batch;
import io.coffer.core.store.Store;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Creates, sends and follows withdrawals of one UTXO chain.
 *
 * <p>The order of writes is the whole point: (1) select coins and sign; (2) store the signed bytes, the
 * locks on the inputs and the idempotency key in ONE batch; (3) only then broadcast; (4) record what the
 * node said. A crash before (2) leaves nothing (a retry with the same key signs anew — nothing was sent);
 * a crash after (2) leaves the bytes, which {@link #resume()} sends again at start — the same bytes,
 * never a second signature over other coins. A broadcast without a clear answer is BROADCAST_UNKNOWN
 * and is re-sent, never marked failed. A fee bump spends the same inputs, so at most one version can
 * ever confirm; the withdrawal is tracked by its inputs through all its txids.
 */
public final class UtxoWithdrawalService extends WithdrawalLedger {
    private static final Logger LOG = Logger.getLogger(UtxoWithdrawalService.class.getName());

    private final TransactionFactory factory;
    private final AddressBook addresses;
    private final Supplier<Signer> signer;

    /** A wallet account's balance from deposits and withdrawals, in satoshi. */

    public UtxoWithdrawalService(Store store, ChainSource source, TransactionFactory factory, AddressBook addresses,
                             Supplier<Signer> signer, int confirmations, Clock clock, CrashPoints crash) {
        super(store, source, confirmations, clock, crash);
        this.factory = factory;
        this.addresses = addresses;
        this.signer = signer;
        this.asset = io.coffer.core.chain.AssetId.of(chain, "BTC").toString();
        keepBalances(new Balances());
    }

    /** The chain's one asset, which every withdrawal here moves and every balance here is of. */
    private final String asset;

    @Override
    protected String balanceAsset(String asked) {
        return asset;
    }

    /**
     * A UTXO wallet's balances: a coin counts (confirmed or pending incoming, as its deposit stands) while no withdrawal holds it
     * and no block of the best chain spent it (the second holds even if the withdrawal that spent it is recorded otherwise, so
     * the ledger never counts an output the chain shows spent); a withdrawal not yet final holds back its amount and fee
     * (pending outgoing). So a coin's part is its deposit, its lock and its spend together, and a change to any of them moves
     * it; a confirmed one counted is also a spendable coin.
     */
    private final class Balances implements LedgerBalances.Rule {
        @Override
        public void touched(LedgerBalances.Changes c, LedgerBalances.Records before, java.util.function.Consumer<LedgerBalances.Unit> out) {
            c.deposits().forEach((id, after) -> {
                if (c.locks().containsKey(id) || c.spent().containsKey(id) || !LedgerBalances.samePart(before.deposit(id), after)) {
                    out.accept(new LedgerBalances.DepositUnit(id));
                }
            });
            c.locks().keySet().forEach(id -> out.accept(new LedgerBalances.DepositUnit(id)));
            c.spent().keySet().forEach(id -> out.accept(new LedgerBalances.DepositUnit(id)));
            c.withdrawals().keySet().forEach(id -> out.accept(new LedgerBalances.WithdrawalUnit(id)));
        }

        @Override
        public void part(LedgerBalances.Unit unit, LedgerBalances.Records r, LedgerBalances.Sums sums, int sign) {
            switch (unit) {
                case LedgerBalances.DepositUnit u -> r.deposit(u.id()).filter(d -> !r.locked(u.id()) && r.spent(u.id()).isEmpty())
                        .ifPresent(d -> sums.deposit(d, asset, sign));
                case LedgerBalances.WithdrawalUnit u -> r.withdrawal(u.id()).filter(w -> !w.status().isFinal()).ifPresent(w ->
                        sums.add(w.account(), asset, BigInteger.ZERO, BigInteger.ZERO, w.amount().add(w.fee()), sign));
                case LedgerBalances.SpentUnit u -> {
                    // a spend of a coin is part of the coin's unit
                }
            }
        }

        @Override
        public void all(java.util.function.Consumer<LedgerBalances.Unit> out) {
            // a spend of a coin is part of its deposit's unit
            eachDeposit(out);
            eachWithdrawal(out);
        }

        @Override
        public Optional<LedgerBalances.Coin> coin(LedgerBalances.Unit unit, LedgerBalances.Records r) {
            if (!(unit instanceof LedgerBalances.DepositUnit u)) {
                return Optional.empty();
            }
            return r.deposit(u.id()).filter(d -> d.status().isConfirmed() && !r.locked(u.id()) && r.spent(u.id()).isEmpty())
                    .map(d -> new LedgerBalances.Coin(d.account(), d.amount()));
        }
    }

    /** A UTXO withdrawal refused for good left nothing: its inputs are free again. */
    @Override
    protected void onFailed(Withdrawal w, boolean mined, Batch b) {
        for (DepositId in : w.inputs()) {
            b.delete(TransferTables.LOCKS, new TransferTables.ChainOutpoint(chain, in));
        }
    }

    /**
     * Creates and sends a withdrawal, or returns the one already made with this idempotency key.
     *
     * @throws CofferException INVALID_ARGUMENT (destination, amount, idempotency_key), ALREADY_EXISTS (key reused
     *                         with other fields), FAILED_PRECONDITION (INSUFFICIENT_FUNDS, TOO_MANY_INPUTS, SEALED, WATCH_ONLY)
     */
    public synchronized Withdrawal create(int account, String destination, BigInteger amount, FeeRate feeRate, String idempotencyKey) {
        Optional<Withdrawal> existing = existing(idempotencyKey, account, destination, amount);
        if (existing.isPresent()) {
            return existing.get();
        }
        int destinationVbytes = factory.destinationVbytes(destination);
        Signer s = signer.get(); // SEALED / WATCH_ONLY stop here, before anything is chosen or written
        CoinSelection.Selection sel = select(account, amount, feeRate, destinationVbytes);
        AddressBook.Issued change = sel.change().signum() > 0 ? addresses.next(account, 1) : null;
        TransactionFactory.Built built = factory.build(inputsOf(sel.inputs()), destination, amount,
                change == null ? null : change.address(), sel.change(), s);
        crash.reached(SIGNED_NOT_STORED);

        Instant now = clock.instant();
        String id = newId();
        Withdrawal w = new Withdrawal(id, chain, account, destination, amount, sel.fee(), feeRate.milliSatPerVbyte(), WithdrawalStatus.SIGNED,
                built.txid(), built.raw(), sel.inputs().stream().map(CoinSelection.Coin::id).toList(),
                change == null ? -1 : change.info().index(), List.of(), idempotencyKey, 0, "", now, now, asset, "");
        Batch b = store.batch();
        putWithdrawal(b, w);
        for (DepositId in : w.inputs()) {
            b.put(TransferTables.LOCKS, new TransferTables.ChainOutpoint(chain, in), id);
        }
        b.put(TransferTables.IDEMPOTENCY, new TransferTables.ChainKey(chain, idempotencyKey), id);
        commit(b, w);
        crash.reached(STORED_NOT_BROADCAST);
        LOG.info(() -> "chain " + chain + ": withdrawal " + id + " signed (" + w.txid() + ", " + amount + " to " + destination
                + ", fee " + w.fee() + ")");
        return send(w);
    }

    /**
     * What {@link #create} would choose now, without signing or writing anything: the fee and the size.
     *
     * @throws CofferException INVALID_ARGUMENT (destination, amount), FAILED_PRECONDITION INSUFFICIENT_FUNDS
     */
    public CoinSelection.Selection quote(int account, String destination, BigInteger amount, FeeRate feeRate) {
        return select(account, amount, feeRate, factory.destinationVbytes(destination));
    }

    /** Checks a destination address. @throws CofferException INVALID_ARGUMENT naming {@code destination} */
    private volatile FeeRates feeRates;

    /** Where the fee rates of {@link #quote(int, String, String, BigInteger, FeePriority, Optional)} and {@link #send} come from. */
    public void feeRates(FeeRates rates) {
        this.feeRates = rates;
    }


    @Override
    public TransferService.Quote quote(int account, String asset, String destination, BigInteger amount, FeePriority priority,
            Optional<FeeRate> feeRate) {
        FeeRate rate = rate(priority, feeRate);
        CoinSelection.Selection sel = quote(account, destination, amount, rate);
        return new TransferService.Quote(asset, sel.fee(), sel.vsize(), rate.satPerVbyteText(), null, null);
    }

    @Override
    public Withdrawal send(int account, String asset, String destination, BigInteger amount, FeePriority priority, Optional<FeeRate> feeRate,
            String idempotencyKey) {
        return create(account, destination, amount, rate(priority, feeRate), idempotencyKey);
    }

    /** Unset: the HIGH estimate, at least the BIP-125 minimum (1 sat/vB) above the current rate. */
    @Override
    public Withdrawal bumpFee(String id, Optional<FeeRate> feeRate) {
        return bump(id, feeRate.isPresent() ? checkMax(feeRate.get())
                : FeeRate.max(rates().estimate(FeePriority.HIGH), feeRateOf(id).plus(FeeRate.RELAY_STEP)));
    }

    private FeeRate rate(FeePriority priority, Optional<FeeRate> feeRate) {
        return feeRate.isPresent() ? checkMax(feeRate.get()) : rates().estimate(priority == null ? FeePriority.NORMAL : priority);
    }

    private FeeRate checkMax(FeeRate feeRate) {
        FeeRate max = rates().max();
        if (feeRate.isAbove(max)) {
            throw CofferException.invalid("fee_rate.sat_per_vbyte", "FEE_RATE_TOO_HIGH", "at most " + max.wholeSatPerVbyte() + " sat/vB on this node");
        }
        return feeRate;
    }

    /** Where this chain's fee rates come from (the chain module's estimator). */
    public FeeRates feeRates() {
        return rates();
    }

    private FeeRates rates() {
        FeeRates r = feeRates;
        if (r == null) {
            throw new IllegalStateException("chain " + chain + ": no fee rates configured");
        }
        return r;
    }

    /**
     * Checks a destination. An all-upper-case bech32 address (valid, e.g. from a QR code) is taken in lower case, so the
     * allowlist and idempotency compare one spelling; mixed case stays as given and is refused as BIP-173 says; base58 is
     * case-sensitive.
     */
    @Override
    public String destination(String destination) {
        String lower = destination.toLowerCase(java.util.Locale.ROOT);
        boolean upperBech32 = destination.equals(destination.toUpperCase(java.util.Locale.ROOT)) && lower.matches("(bc|tb|bcrt)1[02-9ac-hj-np-z]+");
        String taken = upperBech32 ? lower : destination;
        factory.destinationVbytes(taken);
        return taken;
    }

    /** The current fee rate of a withdrawal (a bump must exceed it). */
    public FeeRate feeRateOf(String id) {
        return get(id).map(w -> FeeRate.milliSatPerVbyte(w.feeRate())).orElseThrow(() -> new CofferException(ErrorKind.NOT_FOUND,
                "WITHDRAWAL_NOT_FOUND", "no such withdrawal"));
    }

    /**
     * Replaces a pending withdrawal by one paying a higher fee: same inputs, same destination and amount,
     * less change. The withdrawal keeps its id; the old txid moves to {@code replacedTxids}.
     */
    public synchronized Withdrawal bump(String id, FeeRate newFeeRate) {
        Withdrawal w = get(id).orElseThrow(() -> new CofferException(ErrorKind.NOT_FOUND, "WITHDRAWAL_NOT_FOUND", "no such withdrawal"));
        requireBumpable(w);
        // BIP-125: the replacement must pay at least the old fee plus the relay fee for its own size (1 sat/vB).
        FeeRate current = FeeRate.milliSatPerVbyte(w.feeRate());
        if (current.plus(FeeRate.RELAY_STEP).isAbove(newFeeRate)) {
            throw new CofferException(ErrorKind.FAILED_PRECONDITION, "FEE_TOO_LOW", "fee_rate", "fee_rate: must exceed the current "
                    + current + " by at least 1 sat/vB", Map.of(), null);
        }
        Signer s = signer.get();
        List<CoinSelection.Coin> coins = new ArrayList<>();
        for (DepositId in : w.inputs()) {
            Deposit d = store.get(ChainTables.DEPOSITS, new ChainTables.ChainDeposit(chain, in)).orElseThrow();
            coins.add(new CoinSelection.Coin(in, d.amount()));
        }
        BigInteger total = coins.stream().map(CoinSelection.Coin::amount).reduce(BigInteger.ZERO, BigInteger::add);
        int vsize = CoinSelection.OVERHEAD_VBYTES + coins.size() * CoinSelection.P2WPKH_INPUT_VBYTES
                + factory.destinationVbytes(w.destination()) + (w.changeIndex() >= 0 ? CoinSelection.P2WPKH_OUTPUT_VBYTES : 0);
        BigInteger fee = newFeeRate.feeFor(vsize);
        BigInteger change = total.subtract(w.amount()).subtract(fee);
        String changeAddress = null;
        if (w.changeIndex() >= 0) {
            if (change.compareTo(BigInteger.valueOf(CoinSelection.DUST_SATS)) < 0) {
                throw new CofferException(ErrorKind.FAILED_PRECONDITION, "FEE_TOO_HIGH", "fee_rate",
                        "fee_rate: the change of this withdrawal cannot pay that fee", Map.of(), null);
            }
            changeAddress = changeAddressOf(w);
        } else if (change.signum() < 0) {
            throw new CofferException(ErrorKind.FAILED_PRECONDITION, "FEE_TOO_HIGH", "fee_rate",
                    "fee_rate: this withdrawal has no change to pay a higher fee from", Map.of(), null);
        }
        TransactionFactory.Built built = factory.build(inputsOf(coins), w.destination(), w.amount(), changeAddress, change, s);
        List<String> replaced = new ArrayList<>(w.replacedTxids());
        replaced.add(w.txid());
        Instant now = clock.instant();
        Withdrawal bumped = new Withdrawal(w.id(), chain, w.account(), w.destination(), w.amount(), w.changeIndex() >= 0 ? fee
                : total.subtract(w.amount()), newFeeRate.milliSatPerVbyte(), WithdrawalStatus.SIGNED, built.txid(), built.raw(), w.inputs(), w.changeIndex(),
                replaced, w.idempotencyKey(), 0, "", w.createdAt(), now, w.asset(), w.cancelTxid());
        Batch b = store.batch();
        putWithdrawal(b, bumped);
        commit(b, bumped);
        LOG.info(() -> "chain " + chain + ": withdrawal " + id + " bumped to " + newFeeRate + " (" + built.txid() + ")");
        return send(bumped);
    }

    /**
     * The coins to spend from {@code account}: largest first among its confirmed deposits that no withdrawal has locked and no
     * block of the chain has spent (the coins kept with the balances, filed by amount), read only as far as the selection
     * goes — one withdrawal's cost does not grow with the coins the account holds.
     */
    private CoinSelection.Selection select(int account, BigInteger amount, FeeRate feeRate, int destinationVbytes) {
        try (io.coffer.core.store.Cursor<LedgerBalances.CoinByAmount, String> coins = balances().largestFirst(account)) {
            java.util.Iterator<CoinSelection.Coin> largestFirst = new java.util.Iterator<>() {
                @Override
                public boolean hasNext() {
                    return coins.hasNext();
                }

                @Override
                public CoinSelection.Coin next() {
                    LedgerBalances.CoinByAmount c = coins.next().getKey();
                    return new CoinSelection.Coin(c.id(), c.amount());
                }
            };
            return CoinSelection.selectLargestFirst(largestFirst, amount, feeRate, destinationVbytes, () -> balance(account).confirmed());
        }
    }

    /** The account's balance: confirmed coins no withdrawal holds, pending incoming deposits, pending outgoing withdrawals. */
    public Balance balance(int account) {
        return balance(account, asset);
    }

    private List<TransactionFactory.Input> inputsOf(List<CoinSelection.Coin> coins) {
        List<TransactionFactory.Input> inputs = new ArrayList<>();
        for (CoinSelection.Coin c : coins) {
            Deposit d = store.get(ChainTables.DEPOSITS, new ChainTables.ChainDeposit(chain, c.id())).orElseThrow();
            AddressInfo info = addresses.lookup(d.address()).orElseThrow();
            inputs.add(new TransactionFactory.Input(c.id(), d.amount(),
                    AccountScheme.byId(info.scheme()).accountPath(info.account()).child(info.change()).child(info.index())));
        }
        return inputs;
    }

    private String changeAddressOf(Withdrawal w) {
        return addresses.addressAt(w.account(), 1, w.changeIndex());
    }

}
