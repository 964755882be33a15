package io.coffer.api;

import io.coffer.api.grpc.AdminService;
import io.coffer.api.grpc.ErrorMapper;
import io.coffer.api.grpc.OperatorToken;
import io.coffer.api.grpc.PlannedServices;
import io.coffer.core.chain.ChainInfo;
import io.coffer.core.chain.ChainNode;
import io.coffer.core.config.ChainConfig;
import io.coffer.core.config.CofferConfig;
import io.coffer.core.audit.AuditLog;
import io.coffer.core.custody.Vault;
import io.coffer.core.keys.Secp256k1;
import io.coffer.core.error.CofferException;
import io.coffer.core.CofferSchema;
import io.coffer.core.store.LevelDbStore;
import io.coffer.core.store.Store;
import io.coffer.proto.v1.AdminGrpc;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthProto;
import io.grpc.protobuf.services.HealthStatusManager;
import io.helidon.config.Config;
import io.helidon.health.HealthCheckResponse;
import io.helidon.health.HealthCheckType;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.grpc.GrpcReflectionFeature;
import io.helidon.webserver.grpc.GrpcRouting;
import io.helidon.webserver.observe.ObserveFeature;
import io.helidon.webserver.observe.health.HealthObserver;
import io.helidon.webserver.observe.metrics.MetricsObserver;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * One running Coffer node: the store, a client per configured chain, and the WebServer. This is the
 * only class that knows every concrete class; {@link Main} and the tests start it the same way.
 *
 * <p>Start-up order: open the store (takes the data dir lock, checks the schema) → connect each chain
 * and check it is the configured network (a mismatch stops the node; an unreachable chain only makes
 * readiness DOWN, because the chain node may simply start later) → start serving. {@link #close()}
 * undoes it in reverse: stop accepting calls and drain, then close the chain clients, then the store.
 */
public final class CofferNode implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(CofferNode.class.getName());

    private final CofferConfig config;
    /** The node's one clock (the machine's; a dev node's may run ahead: coffer.node.dev-clock-offset). */
    private final Clock clock;
    private final Store store;
    private final io.coffer.core.backup.BackupService backups;
    private static final java.util.concurrent.atomic.AtomicReference<io.coffer.core.backup.BackupScheduler> SCHEDULER =
            new java.util.concurrent.atomic.AtomicReference<>();
    /** Null unless coffer.backup.directory is configured. */
    private final io.coffer.core.backup.BackupScheduler backupScheduler;
    private final AuditLog audit;
    private final Vault vault;
    private final OperatorToken operatorToken;
    private final io.coffer.core.operator.OperatorService operators;
    private final io.coffer.core.alert.AlertService alerts;
    private volatile io.coffer.core.alert.AlertWebhook alertWebhook;
    private final io.coffer.core.tenant.TenantService tenants;
    /** The configured chains; each one's probe keeps its node's last known state, which /observe/health answers from at once. */
    private final io.coffer.core.driver.ChainRegistry chains;
    /** How often the chain nodes are probed for /observe/health, and how old an answer may be before the chain is DOWN. */
    private static final java.time.Duration PROBE_EVERY = java.time.Duration.ofSeconds(2);
    private static final java.time.Duration PROBE_STALE_AFTER = java.time.Duration.ofSeconds(10);
    private final ScheduledExecutorService probeThreads;
    private final HealthStatusManager grpcHealth = new HealthStatusManager();
    private final WebServer server;
    private final ScheduledExecutorService chainThreads = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "coffer-chains");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean closed = new AtomicBoolean();
    private final io.coffer.core.event.EventOutbox outbox;
    private final io.coffer.core.event.WebhookService webhooks;
    private final io.coffer.core.payment.PaymentRequestService payments;
    private final io.coffer.core.transfer.TransferService transfers;
    private final io.coffer.core.wallet.AccountService accounts;
    private final io.coffer.api.proto.Protos protos;
    /** The checkout listener's configuration ({@code server.sockets} entry named "checkout"); empty: no checkout pages. */
    private final Optional<Config> checkoutSocket;
    private final io.coffer.core.checkout.CheckoutService checkout;
    private final io.coffer.core.checkout.CounterService counters;
    private io.coffer.api.checkout.CheckoutRoutes checkoutRoutes;
    /** Where checkout links point ("" until known: a listener on port 0 has its address only once bound). */
    private volatile String checkoutBase = "";
    /** Clock-driven work: payment request expiry. */
    private final ScheduledExecutorService clockThread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "coffer-clock");
        t.setDaemon(true);
        return t;
    });

    private CofferNode(NodeConfiguration configuration) {
        this.config = configuration.coffer();
        this.clock = config.node().clock();
        this.store = LevelDbStore.openAndUpgrade(config.node().dataDir(), CofferSchema.current());
        try {
            this.audit = new AuditLog(store, clock);
            this.vault = new Vault(store, store.directory(), audit);
            this.tenants = new io.coffer.core.tenant.TenantService(store, audit, clock);
            this.outbox = new io.coffer.core.event.EventOutbox(store, clock);
            this.webhooks = new io.coffer.core.event.WebhookService(store, outbox, audit, clock, config.webhooks());
            this.backups = new io.coffer.core.backup.BackupService(store, audit, clock, version());
            this.backupScheduler = config.backups().map(b -> new io.coffer.core.backup.BackupScheduler(backups, b, clock))
                    .orElse(null);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        List<ChainNode> opened = new ArrayList<>();
        List<io.coffer.core.driver.ChainRegistry.Configured> configured = new ArrayList<>();
        try {
            SecureRandom random = new SecureRandom();
            if (config.node().devMode()) {
                DevCustody.prepare(store, vault, audit, random);
            }
            logCustody();
            this.operatorToken = OperatorToken.create(store.directory(), random);
            this.operators = new io.coffer.core.operator.OperatorService(store, audit,
                    io.coffer.core.operator.SecretBox.open(store.directory(), random), clock, config.operatorQuorum());
            this.alerts = new io.coffer.core.alert.AlertService(store, audit, clock);
            for (int i = 0; i < config.chains().size(); i++) {
                ChainConfig c = config.chains().get(i);
                io.coffer.core.driver.ChainDriver driver = io.coffer.core.driver.ChainDrivers.of(c, "coffer.chains." + i + ".kind");
                ChainNode node = driver.connect(c);
                opened.add(node);
                io.coffer.core.chain.ChainProbe probe = new io.coffer.core.chain.ChainProbe(node, clock, PROBE_STALE_AFTER);
                checkChain(c, probe, "coffer.chains." + i);
                Optional<io.coffer.core.driver.ChainModule> module = Optional.empty();
                if (vault.state() == io.coffer.core.custody.CustodyState.UNINITIALIZED) {
                    LOG.warning("chain " + c.name() + ": no wallet yet, nothing to follow");
                } else {
                    module = Optional.of(new io.coffer.core.driver.ChainModule(c, driver.open(c, node, store, vault, clock), vault));
                }
                configured.add(new io.coffer.core.driver.ChainRegistry.Configured(c, node, probe, module));
            }
            this.chains = new io.coffer.core.driver.ChainRegistry(configured);
            this.tenants.onLocked((k, until) -> alerts.raise(io.coffer.core.alert.AlertKind.AUTH_FAILURES, k.id(), until.toString(),
                    "API key " + k.id() + " locked until " + until + " after " + io.coffer.core.tenant.TenantService.MAX_AUTH_FAILURES
                            + " failed authentications", java.util.Map.of("tenant", k.tenantId(), "locked_until", until.toString())));
            io.coffer.core.driver.Reconciler reconciler = new io.coffer.core.driver.Reconciler(store, alerts,
                    config.alerts().reconcileEveryBlocks(), config.alerts().pauseOnMismatch());
            this.chains.reconcile(reconciler);
            this.backups.onRelease(() -> chains.modules().forEach(reconciler::acceptCurrent));
            // A thread per chain node: one that hangs never keeps the others' state from being refreshed.
            this.probeThreads = Executors.newScheduledThreadPool(Math.max(1, configured.size()), r -> {
                Thread t = new Thread(r, "coffer-chain-probe");
                t.setDaemon(true);
                return t;
            });
            this.checkoutSocket = checkoutSocket(configuration.server());
            var checkoutTokens = io.coffer.core.payment.CheckoutTokens.open(store, random);
            checkoutSocket.ifPresent(s -> checkoutBase = config.checkout().publicUrl().map(java.net.URI::toString)
                    .orElse(s.get("port").asInt().orElse(0) == 0 ? "" : listenerUrl(s, s.get("port").asInt().get())));
            this.protos = new io.coffer.api.proto.Protos(chains, id -> checkoutBase.isEmpty() ? "" : checkoutBase + "/pay/"
                    + checkoutTokens.tokenOf(id));
            var eventJson = new io.coffer.api.proto.EventJson(protos);
            var paymentEvents = new io.coffer.core.payment.PaymentEvents(store, outbox, eventJson,
                    account -> tenants.byAccount(account).map(io.coffer.core.tenant.Tenant::id), chains::internal, clock);
            chains.modules().forEach(m -> m.follower().sink(paymentEvents)); // before the first poll: no deposit change goes unpublished
            this.payments = new io.coffer.core.payment.PaymentRequestService(store, chains.receiving(), audit, clock,
                    paymentEvents);
            this.transfers = new io.coffer.core.transfer.TransferService(store, chains.sending(vault), payments::paidTo, outbox,
                    eventJson, audit, clock, config.allowlistDelay());
            this.transfers.onHeld((t, reasons) -> {
                java.util.Map<String, String> details = new java.util.TreeMap<>();
                details.put("tenant", t.tenant());
                details.put("amount", t.amount() + " " + t.asset());
                details.put("destination", t.destination());
                for (int i = 0; i < reasons.size(); i++) {
                    details.put("rule " + (i + 1), reasons.get(i));
                }
                alerts.raise(io.coffer.core.alert.AlertKind.ANOMALY, t.tenant(), t.id(), "transfer " + t.id() + " held for approval by "
                        + reasons.size() + " anomaly rule(s)", details);
            });
            chains.modules().forEach(m -> m.withdrawals().sink(transfers)); // before any withdrawal moves: no change goes unpublished
            for (io.coffer.core.tenant.Tenant t : tenants.tenants()) {
                chains.modules().forEach(m -> m.addresses().watchAccount(t.accountIndex())); // every tenant's addresses are watched
            }
            this.accounts = new io.coffer.core.wallet.AccountService(chains, store, clock);
            this.checkout = new io.coffer.core.checkout.CheckoutService(payments, checkoutTokens, tenants, chains);
            this.counters = new io.coffer.core.checkout.CounterService(store, payments, tenants, chains, audit, clock, random);
            this.server = buildServer(configuration.server());
        } catch (RuntimeException e) {
            opened.forEach(ChainNode::close);
            vault.close();
            store.close();
            throw e;
        }
    }

    private void logCustody() {
        Vault.Status s = vault.status();
        switch (s.state()) {
            case UNINITIALIZED -> LOG.warning("custody: no wallet in " + store.directory() + "; stop the node and run"
                    + " 'coffer ceremony init --data-dir " + store.directory() + "'");
            case SEALED -> LOG.info("custody: sealed (wallet " + s.fingerprintHex() + ", " + s.threshold() + " of " + s.shareCount()
                    + " shares unseal it: 'coffer unseal'); deposits are watched, nothing can be signed; secp256k1 on " + Secp256k1.engine());
            case UNSEALED -> LOG.info("custody: unsealed (wallet " + s.fingerprintHex() + ", secp256k1 on " + Secp256k1.engine() + ")");
            case WATCH_ONLY -> LOG.info("custody: watch-only; this node never signs; secp256k1 on " + Secp256k1.engine());
        }
    }

    /** Starts a node; the caller owns it and must {@link #close()} it. */
    public static CofferNode start(NodeConfiguration configuration) {
        CofferNode node = new CofferNode(configuration);
        try {
            // Chains first: their first round sets a new wallet's cursors before anything is served.
            node.chains.modules().forEach(m -> m.start(node.chainThreads));
            node.webhooks.start();
            node.config.alerts().webhookUrl().ifPresent(url -> {
                try {
                    node.alertWebhook = new io.coffer.core.alert.AlertWebhook(node.store, node.alerts, url,
                            new String(io.coffer.core.backup.BackupFile.passphraseFile(node.config.alerts().webhookSecretFile().orElseThrow())));
                } catch (java.io.IOException e) {
                    throw new io.coffer.core.config.ConfigException("coffer.alerts.webhook-secret-file", "cannot be read: " + e.getMessage());
                }
            });
            if (node.backupScheduler != null) {
                node.backupScheduler.start();
                SCHEDULER.set(node.backupScheduler);
                // Registered once per JVM (the registry is global), reading whichever node's schedule runs now.
                io.helidon.metrics.api.Metrics.globalRegistry().getOrCreate(io.helidon.metrics.api.Gauge.builder(
                        "coffer.backup.age.seconds", () -> {
                            io.coffer.core.backup.BackupScheduler b = SCHEDULER.get();
                            return b == null ? -1 : b.ageSeconds();
                        }).description("Seconds since the last good scheduled backup (since the node started when none yet);"
                        + " alert above twice coffer.backup.every"));
            }
            node.clockThread.execute(node.transfers::resume); // transfers stored but not sent before the last stop
            node.clockThread.scheduleWithFixedDelay(node::expirePaymentRequests, 0, 1, java.util.concurrent.TimeUnit.SECONDS);
            for (io.coffer.core.driver.ChainRegistry.Configured c : node.chains.configured()) {
                io.coffer.core.chain.ChainProbe probe = c.probe();
                node.probeThreads.scheduleWithFixedDelay(() -> {
                    try {
                        probe.probe();
                    } catch (RuntimeException e) {
                        LOG.log(java.util.logging.Level.FINE, "chain " + probe.chainName() + ": probe failed", e); // in its state
                    }
                }, PROBE_EVERY.toMillis(), PROBE_EVERY.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            }
            node.server.start();
            // Helidon logs a listener it cannot bind and starts the others; a node half-served (say, its gRPC port held
            // by another process) would look up while nobody can reach it, so it refuses to start instead.
            requireBound(node.server.port(), "server.port", configuration.server());
            if (node.checkoutSocket.isPresent()) {
                requireBound(node.server.port(CHECKOUT), "server.sockets." + CHECKOUT + ".port", node.checkoutSocket.get());
            }
        } catch (RuntimeException e) {
            node.close();
            throw e;
        }
        io.coffer.api.observe.NodeMetrics.serve(node.metrics);
        node.grpcHealth.setStatus("", ServingStatus.SERVING);
        for (PlannedServices.Contract c : PlannedServices.CONTRACT) {
            node.grpcHealth.setStatus(c.service().getName(), ServingStatus.SERVING);
        }
        LOG.info(() -> "coffer: serving gRPC, /observe/health and /observe/metrics on " + configuration.server().get("host")
                .asString().orElse("0.0.0.0") + ":" + node.port() + " (data dir " + node.store.directory() + ")");
        node.checkoutSocket.ifPresent(s -> {
            if (node.checkoutBase.isEmpty()) {
                node.checkoutBase = listenerUrl(s, node.server.port(CHECKOUT));
            }
            LOG.info(() -> "coffer: serving checkout pages on " + s.get("host").asString().orElse("0.0.0.0") + ":"
                    + node.server.port(CHECKOUT) + " (links: " + node.checkoutBase + "/pay/...)");
        });
        return node;
    }

    private static void requireBound(int port, String key, Config socket) {
        if (port <= 0) {
            throw new io.coffer.core.config.ConfigException(key, "cannot listen on " + socket.get("host").asString().orElse("0.0.0.0")
                    + ":" + socket.get("port").asInt().orElse(0) + " (the port is in use or not permitted; see the log line before)");
        }
    }

    private io.coffer.core.report.ReportService reports() {
        return new io.coffer.core.report.ReportService(payments, transfers, chains.deposits(store), audit);
    }

    private void expirePaymentRequests() {
        try {
            payments.expireDue();
        } catch (RuntimeException e) {
            LOG.log(java.util.logging.Level.WARNING, "payment requests: expiry round failed; retrying in a second", e);
        }
    }

    private static void checkChain(ChainConfig c, io.coffer.core.chain.ChainProbe probe, String key) {
        try {
            ChainInfo info = probe.probe();
            info.requireMatches(c, key);
            LOG.info(() -> "chain " + c.name() + ": connected to " + c.rpcUrl() + ", network " + info.network()
                    + ", tip " + info.tipHeight() + " " + info.tipHash());
        } catch (io.coffer.core.chain.ChainUnavailableException e) {
            // The node may start before its chain node (a reboot); readiness reports it until it answers.
            LOG.warning("chain " + c.name() + ": not reachable at start (" + e.getMessage() + "); will keep trying");
        }
    }

    private WebServer buildServer(Config serverConfig) {
        GrpcRouting.Builder grpc = GrpcRouting.builder().intercept(io.coffer.api.observe.CallMetrics.interceptor())
                .intercept(ErrorMapper.interceptor());
        io.coffer.api.grpc.ApiKeyAuth apiAuth = new io.coffer.api.grpc.ApiKeyAuth(tenants, audit, io.coffer.api.grpc.Scopes.table());
        for (PlannedServices.Contract c : PlannedServices.CONTRACT) {
            if (c.service().getName().equals(io.coffer.proto.v1.PaymentsGrpc.SERVICE_NAME)) {
                ServerServiceDefinition service = ServerInterceptors.intercept(PlannedServices.partial(
                        new io.coffer.api.grpc.PaymentsService(payments, protos), io.coffer.api.grpc.PaymentsService.IMPLEMENTED), apiAuth);
                grpc.service(c.file(), () -> service);
            } else if (c.service().getName().equals(io.coffer.proto.v1.EventsGrpc.SERVICE_NAME)) {
                ServerServiceDefinition service = ServerInterceptors.intercept(PlannedServices.partial(
                        new io.coffer.api.grpc.EventsService(outbox, webhooks, () -> !closed.get(), operators),
                        io.coffer.api.grpc.EventsService.IMPLEMENTED), apiAuth);
                grpc.service(c.file(), () -> service);
            } else if (c.service().getName().equals(io.coffer.proto.v1.WalletGrpc.SERVICE_NAME)) {
                ServerServiceDefinition wallet = ServerInterceptors.intercept(
                        PlannedServices.partial(new io.coffer.api.grpc.WalletService(accounts, protos), io.coffer.api.grpc.WalletService.IMPLEMENTED),
                        apiAuth);
                grpc.service(c.file(), () -> wallet);
            } else if (c.service().getName().equals(io.coffer.proto.v1.TransfersGrpc.SERVICE_NAME)) {
                ServerServiceDefinition service = ServerInterceptors.intercept(PlannedServices.partial(
                        new io.coffer.api.grpc.TransfersService(transfers, protos, operators), io.coffer.api.grpc.TransfersService.IMPLEMENTED),
                        apiAuth);
                grpc.service(c.file(), () -> service);
            } else if (!c.service().getName().equals(AdminGrpc.SERVICE_NAME)) {
                ServerServiceDefinition planned = ServerInterceptors.intercept(PlannedServices.planned(c.service()).bindService(), apiAuth);
                grpc.service(c.file(), () -> planned);
            } else if (c.service().getName().equals(AdminGrpc.SERVICE_NAME)) {
                ServerServiceDefinition admin = ServerInterceptors.intercept(
                        PlannedServices.partial(new AdminService(vault, audit, chains::status, (chain, from, progress) -> chains.rescan(chainThreads, chain, from, progress), tenants,
                                t -> chains.modules().forEach(m -> m.addresses().watchAccount(t.accountIndex())), transfers, reports(), counters,
                                () -> checkoutBase.isEmpty() ? "" : checkoutBase + "/counter",
                                backups, operators, protos, alerts), AdminService.IMPLEMENTED),
                        new io.coffer.api.grpc.AdminAuth(operatorToken, operators, audit));
                grpc.service(c.file(), () -> admin);
            }
        }
        grpc.service(HealthProto.getDescriptor(), grpcHealth.getHealthService());

        HealthObserver health = HealthObserver.builder()
                .details(true)
                .addCheck(() -> HealthCheckResponse.builder()
                        .status(!closed.get())
                        .detail("dataDir", store.directory().toString())
                        .detail("schemaVersion", store.schemaVersion())
                        .build(), HealthCheckType.LIVENESS, "store")
                .addCheck(() -> HealthCheckResponse.builder()
                        .status(true)
                        .detail("state", vault.state().name())
                        .build(), HealthCheckType.LIVENESS, "custody")
                .addChecks(chainChecks())
                .build();

        io.helidon.webserver.WebServerConfig.Builder server = WebServer.builder()
                .config(serverConfig)
                // Our own shutdown hook (Main) stops the server first and then closes the store, in that order.
                .shutdownHook(false)
                // Helidon leaves Nagle on: an answer written as two segments (HTTP/2 headers, then data) waited for the
                // client's delayed ACK, ~40 ms, which set every RPC's p99 (scripts/bench api measured ~48 ms even for
                // Health/Check). Configured connection options are kept; only this one is forced.
                .connectionOptions(noDelay(serverConfig.get("connection-options")));
        Http2Settings.apply(server, serverConfig);
        if (checkoutSocket.isPresent()) {
            // Its own routing only: the gRPC services, reflection and /observe are on the default socket, never here.
            checkoutRoutes = new io.coffer.api.checkout.CheckoutRoutes(checkout, outbox, config.checkout().streamLimit(), () -> !closed.get());
            var counterRoutes = new io.coffer.api.checkout.CounterRoutes(counters, checkout, socketHasTls(checkoutSocket.get()));
            Config socket = checkoutSocket.get();
            server.putSocket(CHECKOUT, l -> Http2Settings.apply(l.config(socket).connectionOptions(noDelay(socket.get("connection-options"))), socket)
                    .routing(r -> r.register(counterRoutes).register(checkoutRoutes)));
        }
        return server
                .addRouting(grpc)
                .addFeature(GrpcReflectionFeature.builder().enabled(true).sockets(java.util.Set.of(WebServer.DEFAULT_SOCKET_NAME)).build())
                .addFeature(ObserveFeature.builder().addObserver(health).addObserver(MetricsObserver.create())
                        .sockets(List.of(WebServer.DEFAULT_SOCKET_NAME)).build())
                .build();
    }

    /** What this node's gauges read when /observe/metrics is scraped. */
    private final io.coffer.api.observe.NodeMetrics.Source metrics = new io.coffer.api.observe.NodeMetrics.Source() {
        @Override
        public List<String> chains() {
            return chains.configured().stream().map(c -> c.config().name()).toList();
        }

        @Override
        public Optional<io.coffer.api.observe.NodeMetrics.ChainFigures> chain(String name) {
            return chains.configured().stream().filter(c -> c.config().name().equals(name)).findFirst().map(c -> {
                java.time.Instant now = java.time.Instant.now();
                io.coffer.core.chain.ChainProbe.State probe = c.probe().state();
                double tip = probe.info().map(i -> (double) i.tipHeight()).orElse(Double.NaN);
                double answered = probe.lastAnswer().map(t -> java.time.Duration.between(t, now).toMillis() / 1000.0).orElse(Double.NaN);
                double processed = c.module().map(m -> (double) m.processedHeight()).orElse(Double.NaN);
                double polled = c.module().map(io.coffer.core.driver.ChainModule::lastPollAt).filter(java.util.Objects::nonNull)
                        .map(t -> java.time.Duration.between(t, now).toMillis() / 1000.0).orElse(Double.NaN);
                var outstanding = c.module().map(m -> m.withdrawals().outstanding());
                var open = c.module().map(m -> m.follower().open(100_000));
                double lastBlock = c.module().map(io.coffer.core.driver.ChainModule::lastBlockAt).filter(java.util.Objects::nonNull)
                        .map(t -> java.time.Duration.between(t, now).toMillis() / 1000.0).orElse(Double.NaN);
                return new io.coffer.api.observe.NodeMetrics.ChainFigures(probe.up(), tip, processed, answered, lastBlock, polled,
                        outstanding.map(o -> o.count()).orElse(0), outstanding.flatMap(o -> o.oldestSince())
                        .map(t -> java.time.Duration.between(t, now).toMillis() / 1000.0).orElse(0.0),
                        c.module().map(m -> m.failedRounds()).orElse(0L), open.map(o -> o.byState()).orElse(java.util.Map.of()),
                        open.flatMap(o -> o.oldestUnconfirmedSince()).map(t -> java.time.Duration.between(t, now).toMillis() / 1000.0)
                                .orElse(0.0), outstanding.map(o -> o.byState()).orElse(java.util.Map.of()));
            });
        }

        @Override
        public long webhooksPending() {
            return webhooks.backlog(100_000).pending();
        }

        @Override
        public long webhooksFailed() {
            return webhooks.failedSinceStart();
        }

        @Override
        public double webhooksOverdueSeconds() {
            return webhooks.backlog(1).overdue().toMillis() / 1000.0;
        }

        @Override
        public double custody() {
            return switch (vault.state()) {
                case UNSEALED -> 1;
                case SEALED -> 0;
                case UNINITIALIZED -> -1;
                case WATCH_ONLY -> 2;
            };
        }

        @Override
        public long storeBytes() {
            try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.walk(store.directory())) {
                return files.filter(java.nio.file.Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
            } catch (java.io.IOException | java.io.UncheckedIOException e) {
                return -1; // a file went away mid-walk (a compaction): the next scrape reads it
            }
        }

        @Override
        public java.util.Map<String, Integer> openAlerts() {
            java.util.Map<String, Integer> out = new java.util.HashMap<>();
            alerts.openCounts().forEach((k, n) -> out.put(k.label(), n));
            return out;
        }

        @Override
        public long livePages() {
            return checkoutRoutes == null ? 0 : checkoutRoutes.livePages();
        }
    };

    /** This build's version (from the jar's manifest; "dev" when run from classes). */
    public static String version() {
        String v = CofferNode.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /** The name of the checkout listener in {@code server.sockets}. */
    static final String CHECKOUT = "checkout";

    private static Optional<Config> checkoutSocket(Config server) {
        return server.get("sockets").asNodeList().orElse(List.of()).stream()
                .filter(s -> s.get("name").asString().map(CHECKOUT::equals).orElse(false)).findFirst();
    }

    private static io.helidon.common.socket.SocketOptions noDelay(Config options) {
        return io.helidon.common.socket.SocketOptions.builder().config(options).tcpNoDelay(true).build();
    }

    private static boolean socketHasTls(Config socket) {
        return socket.get("tls").exists();
    }

    /** The listener's own address as a link base (for local use; behind a proxy, set coffer.checkout.public-url). */
    private static String listenerUrl(Config socket, int port) {
        String host = socket.get("host").asString().orElse("0.0.0.0");
        boolean tls = socket.get("tls").exists();
        if (host.equals("0.0.0.0") || host.equals("::")) {
            LOG.warning("checkout: the listener binds every address; links use 127.0.0.1 until coffer.checkout.public-url is set");
            host = "127.0.0.1";
        }
        return (tls ? "https://" : "http://") + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /** Readiness per chain, answered from the chain's probe (never waits on the chain node). */
    private io.helidon.health.HealthCheck[] chainChecks() {
        List<io.helidon.health.HealthCheck> checks = new ArrayList<>();
        for (io.coffer.core.driver.ChainRegistry.Configured c : chains.configured()) {
            io.coffer.core.chain.ChainProbe probe = c.probe();
            checks.add(new io.helidon.health.HealthCheck() {
                @Override
                public HealthCheckType type() {
                    return HealthCheckType.READINESS;
                }

                @Override
                public String name() {
                    return "chain-" + probe.chainName();
                }

                @Override
                public HealthCheckResponse call() {
                    io.coffer.core.chain.ChainProbe.State state = probe.state();
                    HealthCheckResponse.Builder b = HealthCheckResponse.builder().status(state.up());
                    state.info().ifPresent(info -> b.detail("network", info.network()).detail("tipHeight", info.tipHeight())
                            .detail("tipHash", info.tipHash()));
                    state.lastAnswer().ifPresent(at -> b.detail("lastAnswer", at.toString()));
                    if (!state.up()) {
                        b.detail("error", state.problem());
                    }
                    return b.build();
                }
            });
        }
        return checks.toArray(io.helidon.health.HealthCheck[]::new);
    }

    /** The node's chains (tests reach a chain module's parts through it). */
    public io.coffer.core.driver.ChainRegistry chains() {
        return chains;
    }

    /** The tenants' wallets: balances, addresses, history (what the Wallet API answers from). */
    public io.coffer.core.wallet.AccountService accounts() {
        return accounts;
    }

    /** The port the server listens on (useful with {@code server.port: 0}). */
    public int port() {
        return server.port();
    }

    /** The checkout pages' port, when the node serves them. */
    public java.util.OptionalInt checkoutPort() {
        return checkoutSocket.isPresent() ? java.util.OptionalInt.of(server.port(CHECKOUT)) : java.util.OptionalInt.empty();
    }

    /** The custody state machine (tests and the demo read its state). */
    public Vault vault() {
        return vault;
    }

    public CofferConfig config() {
        return config;
    }

    public boolean isRunning() {
        return server.isRunning() && !closed.get();
    }

    /** Graceful stop: stop taking calls and drain them, then close chains and the store. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        LOG.info("coffer: stopping");
        io.coffer.api.observe.NodeMetrics.stop(metrics);
        grpcHealth.enterTerminalState();
        outbox.wake(); // live streams waiting for events see the node stopping now, not at their next wait's end
        if (checkoutRoutes != null) {
            checkoutRoutes.stopLivePages();
        }
        chains.modules().forEach(io.coffer.core.driver.ChainModule::stop);
        chainThreads.shutdownNow();
        clockThread.shutdownNow();
        if (probeThreads != null) {
            probeThreads.shutdownNow();
        }
        webhooks.close();
        if (alertWebhook != null) {
            alertWebhook.close();
        }
        alerts.wake();
        if (backupScheduler != null) {
            SCHEDULER.compareAndSet(backupScheduler, null);
            backupScheduler.close(); // before the store closes under it
        }
        try {
            chainThreads.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            if (server != null && server.isRunning()) {
                server.stop();
            }
        } finally {
            if (chains != null) {
                chains.configured().forEach(c -> c.node().close());
            }
            vault.close();
            store.close();
            LOG.info("coffer: stopped");
        }
    }
}
