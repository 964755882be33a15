package io.coffer.core.driver;

import io.coffer.core.chain.ChainInfo;
import io.coffer.core.progress.Progress;
import io.coffer.core.chain.ChainNode;
import io.coffer.core.chain.ChainProbe;
import io.coffer.core.config.ChainConfig;
import io.coffer.core.custody.Vault;
import io.coffer.core.error.CofferException;
import io.coffer.core.error.ErrorKind;
import io.coffer.core.payment.PaymentRequestService;
import io.coffer.core.transfer.TransferService;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;

/**
 * The node's chains, looked up by chain name and by asset id in this one place (lnd's {@code chainreg} is the model). Every
 * configured chain has a client of its node and a probe; a chain is <em>followed</em> (it has a {@link ChainModule}) once a
 * wallet exists. Services see the chains through the views this registry hands out ({@link #sending}, {@link #receiving}), so
 * none of them asks which kind a chain is.
 */
public final class ChainRegistry {
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(ChainRegistry.class.getName());
    /** How often long work (a rescan) logs where it stands. */
    static final java.time.Duration LOG_EVERY = java.time.Duration.ofSeconds(10);
    /**
     * A configured chain: its settings, a client of its node, the probe holding its last known state, and its module when the
     * node follows it.
     */
    public record Configured(ChainConfig config, ChainNode node, ChainProbe probe, Optional<ChainModule> module) {
    }

    private final List<Configured> configured;
    private final List<ChainModule> modules;
    private final Map<String, Configured> byChain = new LinkedHashMap<>();
    private final Map<String, ChainModule> byAsset = new HashMap<>();
    private final List<AssetInfo> assets = new ArrayList<>();

    public ChainRegistry(List<Configured> configured) {
        this.configured = List.copyOf(configured);
        List<ChainModule> followed = new ArrayList<>();
        for (Configured c : this.configured) {
            if (byChain.put(c.config().name(), c) != null) {
                throw new IllegalArgumentException("two chains named " + c.config().name()); // the config loader refuses this first
            }
            c.module().ifPresent(m -> {
                followed.add(m);
                for (AssetInfo a : m.assets()) {
                    byAsset.put(a.id(), m);
                    assets.add(a);
                }
            });
        }
        this.modules = List.copyOf(followed);
    }

    /** The followed chains, in configuration order. */
    public List<ChainModule> modules() {
        return modules;
    }

    /** Every configured chain, followed or not, in configuration order. */
    public List<Configured> configured() {
        return configured;
    }

    /** The module of the followed chain {@code chain}. */
    public Optional<ChainModule> module(String chain) {
        return Optional.ofNullable(byChain.get(chain)).flatMap(Configured::module);
    }

    /** The module of the followed chain carrying asset {@code asset}. */
    public Optional<ChainModule> moduleOf(String asset) {
        return Optional.ofNullable(byAsset.get(asset));
    }

    /**
     * The module carrying {@code asset}.
     *
     * @throws CofferException INVALID_ARGUMENT ASSET_UNKNOWN (field {@code asset}) when no followed chain carries it
     */
    public ChainModule requireAsset(String asset) {
        return moduleOf(asset).orElseThrow(() -> CofferException.invalid("asset", "ASSET_UNKNOWN", "unknown asset '"
                + (asset.length() > 64 ? asset.substring(0, 64) + "…" : asset) + "'; ListAssets lists them"));
    }

    /** The assets of the followed chains: each chain's native coin first, then its tokens. */
    public List<AssetInfo> assets() {
        return List.copyOf(assets);
    }

    /** The asset network fees on {@code chain} are paid in (its native coin), or empty for a chain not configured. */
    public String feeAsset(String chain) {
        Configured c = byChain.get(chain);
        return c == null ? "" : c.config().feeAsset();
    }

    /** Whether {@code chain} is an account chain (EVM: a withdrawal is one nonce of one address). */
    public boolean accountBased(String chain) {
        Configured c = byChain.get(chain);
        return c != null && c.config().accountBased();
    }

    /**
     * Whether {@code address} is one of the wallet's internal addresses on {@code chain} (change, the EVM hot address): what
     * arrives there is the wallet's own money moving, not a deposit.
     */
    public boolean internal(String chain, String address) {
        return module(chain).flatMap(m -> m.addresses().lookup(address)).map(i -> i.change() == 1).orElse(false);
    }

    /** What each configured chain looks like now: its node's tip (asked now), what Coffer processed, the last error. */
    public List<ChainStatus> status() {
        List<ChainStatus> out = new ArrayList<>();
        for (Configured c : configured) {
            long processed = c.module().map(ChainModule::processedHeight).orElse(0L);
            String lastError = c.module().map(ChainModule::lastError).orElse("");
            try {
                ChainInfo info = c.node().info();
                out.add(new ChainStatus(c.config().name(), c.config().accountBased(), true, info.network(), info.tipHeight(),
                        info.tipHash(), processed, lastError, c.module().flatMap(ChainModule::catchUp),
                        c.module().map(ChainModule::lastBlockAt)));
            } catch (CofferException e) {
                out.add(new ChainStatus(c.config().name(), c.config().accountBased(), false, "", 0, "", processed, e.getMessage(),
                        c.module().flatMap(ChainModule::catchUp), c.module().map(ChainModule::lastBlockAt)));
            }
        }
        return out;
    }

    /**
     * Re-scans the followed chain {@code chain} from {@code fromHeight} on {@code executor} (the chain thread, so it never
     * overlaps a round), telling progress as it goes and once more when done. Blocks the caller until done.
     *
     * @throws CofferException INVALID_ARGUMENT CHAIN_UNKNOWN / HEIGHT_ABOVE_TIP, FAILED_PRECONDITION CHAIN_NOT_FOLLOWED
     */
    public void rescan(ScheduledExecutorService executor, String chain, long fromHeight, Consumer<RescanProgress> progress)
            throws Exception {
        Configured c = byChain.get(chain);
        if (c == null) {
            throw CofferException.invalid("chain", "CHAIN_UNKNOWN", "no chain named '" + chain + "' is configured");
        }
        ChainModule m = c.module().orElseThrow(() -> new CofferException(ErrorKind.FAILED_PRECONDITION, "CHAIN_NOT_FOLLOWED", null,
                "chain " + chain + " is not followed by this node (no wallet yet)", Map.of(), null));
        // Refused here, before queueing behind a round on the chain thread; the follower checks again against the tip it reads
        // then (the chain may have moved). The tip also sizes the progress reports.
        long tip = c.node().info().tipHeight();
        if (fromHeight < 0 || fromHeight > tip) { // below 0: an unsigned height beyond a long
            throw CofferException.invalid("from_height", "HEIGHT_ABOVE_TIP", "above the chain's tip " + tip);
        }
        Progress blocks = new Progress("chain " + chain + ": rescan from " + fromHeight, "blocks", 0, tip - fromHeight + 1);
        m.rescan(executor, fromHeight, r -> {
            blocks.total(r.tipHeight() - fromHeight + 1);
            Progress.Report at = blocks.at(Math.max(0, r.cursorHeight() - fromHeight + 1));
            if (blocks.due(LOG_EVERY)) {
                LOG.info(at.line());
            }
            progress.accept(new RescanProgress(r.cursorHeight(), r.tipHeight(), m.follower().depositCount(), m.follower().watchedAddresses(),
                    false, at));
        });
        Progress.Report end = blocks.at(Math.max(0, m.processedHeight() - fromHeight + 1));
        progress.accept(new RescanProgress(m.processedHeight(), Math.max(tip, m.processedHeight()), m.follower().depositCount(),
                m.follower().watchedAddresses(), true, end));
    }

    private volatile Reconciler reconciler;

    /** Starts continuous reconciliation on every followed chain. */
    public void reconcile(Reconciler r) {
        this.reconciler = r;
        modules().forEach(m -> m.reconciler(r));
    }

    public Optional<Reconciler> reconciler() {
        return Optional.ofNullable(reconciler);
    }

    /** The followed chains as tenant transfers see them. */
    public TransferService.Sending sending(Vault vault) {
        return new RegistrySending(this, vault);
    }

    /** The followed chains' deposits as reports see them, with the payment request each paid (read from {@code store}). */
    public io.coffer.core.report.ReportService.DepositSource deposits(io.coffer.core.store.Store store) {
        return new RegistryDeposits(this, store);
    }

    /** The followed chains as payment requests see them. */
    public PaymentRequestService.Receiving receiving() {
        return new RegistryReceiving(this);
    }
}
