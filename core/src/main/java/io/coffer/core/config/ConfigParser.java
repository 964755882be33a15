package io.coffer.core.config;

import io.coffer.core.address.EvmAddress;
import io.coffer.core.error.CofferException;
import java.net.URI;
import java.net.URISyntaxException;
import io.coffer.core.event.WebhookService;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads Coffer's configuration from a flat key map (what application.yaml flattens to, e.g.
 * {@code coffer.chains.0.rpc-url}) with environment-variable overrides, and validates it whole.
 *
 * <p>Environment overrides: every key can be replaced by the variable named by upper-casing it and
 * turning dots and dashes into underscores: {@code coffer.chains.0.rpc-url} ←
 * {@code COFFER_CHAINS_0_RPC_URL}. A list entry can be added from the environment alone by using the
 * next index. Keys under {@code coffer.} that nothing reads are refused, so a typo in a key is an error
 * at start rather than a silently ignored setting.
 *
 * <p>Keys (defaults in brackets):
 * <pre>
 * coffer.node.data-dir                  [data]     store, encrypted seed, lock
 * coffer.node.dev-mode                  [false]    only when every chain is a dev chain
 * coffer.node.dev-clock-offset          [0s]       dev mode only: the node's clock runs this far ahead (0s..3650d)
 * coffer.chains.N.name                  required   [a-z][a-z0-9-]{0,31}, unique
 * coffer.chains.N.kind                  required   bitcoin | evm (at most one bitcoin)
 * coffer.chains.N.rpc-url               required   http(s)://host:port
 * coffer.chains.N.confirmations         [bitcoin 1, evm 12]   0..1000
 * coffer.chains.N.reorg-safety-depth    [bitcoin 6, evm 64]   confirmations..10000
 * coffer.chains.N.poll-interval         [2s]       100ms..10m, "500ms", "2s", "1m" or ISO-8601
 * bitcoin only:
 * coffer.chains.N.network               required   main | test | testnet4 | signet | regtest
 * coffer.chains.N.rpc-user / rpc-password          or
 * coffer.chains.N.rpc-cookie-file
 * coffer.chains.N.address-gap           [20]       1..10000, unused addresses watched past the last used one
 * coffer.chains.N.fee-floor-sat-per-vb  [1]        lowest fee rate
 * coffer.chains.N.fee-fallback-sat-per-vb [2]      when the node has no estimate; floor..10000
 * coffer.chains.N.fee-max-sat-per-vb    [500]      highest fee rate ever used; fallback..100000
 * coffer.chains.N.zmq-endpoint          [none]     tcp://host:port of bitcoind's hashblock/hashtx publisher
 * evm only:
 * coffer.chains.N.chain-id              required   EIP-155 chain id, unique
 * coffer.chains.N.native-symbol         [ETH]
 * coffer.chains.N.native-decimals       [18]
 * coffer.chains.N.eip1559               [true]
 * coffer.chains.N.sweep-threshold       [none]     sweep deposit addresses holding more native coin (wei)
 * coffer.chains.N.tokens.M.symbol / contract / decimals / sweep-threshold
 * coffer.webhooks.timeout               [10s]      100ms..1m, connect and answer time of one delivery attempt
 * coffer.webhooks.retry-initial         [10s]      100ms..1h, wait after the first failed attempt; doubles per failure
 * coffer.webhooks.retry-max             [1h]       retry-initial..24h, longest wait between attempts
 * coffer.webhooks.give-up-after         [25h]      1s..30d, a delivery failing this long is FAILED (redeliver by hand)
 * coffer.webhooks.allow-private-targets [dev-mode] webhooks to loopback / private / link-local addresses
 * coffer.transfers.allowlist-delay      [24h]      0s..30d, an allowlist addition counts this long after it was made
 * coffer.checkout.public-url            [none]     http(s) base of the checkout pages' links (default: the checkout socket)
 * coffer.checkout.stream-limit          [10m]      10s..1h, a page's live-status stream is ended (and reopened by the browser) after this
 * coffer.backup.directory               [none]     scheduled backups go here (off without it)
 * coffer.backup.every                   [24h]      1m..30d
 * coffer.backup.keep                    [7]        1..1000 newest backups kept
 * coffer.backup.passphrase-file         required with a directory; its first line encrypts the backups (12 characters or more)
 * coffer.operators.quorum               [2]        1..10 admins whose identical AddOperator calls add an operator
 * coffer.reconciliation.every-blocks    [6]        1..10000 processed blocks of a chain between two comparisons with the chain
 * coffer.reconciliation.pause-transfers [true]     an open reconciliation alert pauses the chain's outgoing transfers
 * coffer.alerts.webhook-url             [none]     http(s) URL every operator alert is posted to, signed
 * coffer.alerts.webhook-secret-file     required with a URL: its first line signs the posts (16 characters or more)
 * </pre>
 */
public final class ConfigParser {
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,31}");
    private static final Pattern SYMBOL = Pattern.compile("[A-Z0-9]{1,11}");
    private static final Pattern SIMPLE_DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");

    private final Map<String, String> file;
    private final Map<String, String> env;
    private final Set<String> read = new HashSet<>();

    private ConfigParser(Map<String, String> file, Map<String, String> env) {
        this.file = file;
        this.env = env;
    }

    /**
     * @param file flattened keys and values from the configuration file
     * @param env  the process environment ({@code System.getenv()})
     * @throws ConfigException naming the first key at fault
     */
    public static CofferConfig parse(Map<String, String> file, Map<String, String> env) {
        return new ConfigParser(file, env).parse();
    }

    private CofferConfig parse() {
        boolean devMode = bool("coffer.node.dev-mode", false);
        Duration offset = duration("coffer.node.dev-clock-offset", Duration.ZERO, Duration.ZERO, Duration.ofDays(3650));
        if (!offset.isZero() && !devMode) {
            throw new ConfigException("coffer.node.dev-clock-offset", "only with coffer.node.dev-mode (dev chains): a real node keeps real time");
        }
        NodeConfig node = new NodeConfig(Path.of(string("coffer.node.data-dir", "data")), devMode, offset);
        List<ChainConfig> chains = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Set<Long> chainIds = new HashSet<>();
        List<Integer> indexes = indexes("coffer.chains");
        if (indexes.isEmpty()) {
            throw new ConfigException("coffer.chains", "no chain configured; add at least one bitcoin or evm chain");
        }
        for (int i : indexes) {
            String p = "coffer.chains." + i + ".";
            String name = required(p + "name");
            if (!NAME.matcher(name).matches()) {
                throw new ConfigException(p + "name", "must match [a-z][a-z0-9-]{0,31}, got '" + name + "'");
            }
            if (!names.add(name)) {
                throw new ConfigException(p + "name", "chain name '" + name + "' is used twice");
            }
            String kind = required(p + "kind");
            ChainConfig chain = switch (kind) {
                case "bitcoin" -> bitcoin(p, name);
                case "evm" -> evm(p, name);
                default -> throw new ConfigException(p + "kind", "must be 'bitcoin' or 'evm', got '" + kind + "'");
            };
            if (chain instanceof BitcoinChainConfig && chains.stream().anyMatch(BitcoinChainConfig.class::isInstance)) {
                throw new ConfigException(p + "kind", "only one bitcoin chain can be configured");
            }
            if (chain instanceof EvmChainConfig evm && !chainIds.add(evm.chainId())) {
                throw new ConfigException(p + "chain-id", "chain id " + evm.chainId() + " is configured twice");
            }
            chains.add(chain);
        }
        if (node.devMode()) {
            for (int n = 0; n < chains.size(); n++) {
                if (!chains.get(n).isDevChain()) {
                    throw new ConfigException("coffer.node.dev-mode", "dev mode auto-unseals the wallet and is only allowed"
                            + " when every chain is a dev chain (regtest, EVM chain id 31337/1337); chain '"
                            + chains.get(n).name() + "' is not");
                }
            }
        }
        WebhookService.Settings webhooks = webhooks(node.devMode());
        Duration allowlistDelay = duration("coffer.transfers.allowlist-delay", Duration.ofHours(24), Duration.ZERO, Duration.ofDays(30));
        CheckoutSettings checkout = new CheckoutSettings(
                Optional.ofNullable(optional("coffer.checkout.public-url")).map(ConfigParser::publicUrl),
                duration("coffer.checkout.stream-limit", CheckoutSettings.DEFAULT_STREAM_LIMIT, Duration.ofSeconds(10), Duration.ofHours(1)));
        Optional<BackupSchedule> backups = Optional.empty();
        String backupDir = optional("coffer.backup.directory");
        if (backupDir != null) {
            backups = Optional.of(new BackupSchedule(Path.of(backupDir), duration("coffer.backup.every", Duration.ofHours(24),
                    Duration.ofMinutes(1), Duration.ofDays(30)), integer("coffer.backup.keep", 7, 1, 1000),
                    Path.of(required("coffer.backup.passphrase-file"))));
        } else {
            for (String k : List.of("coffer.backup.every", "coffer.backup.keep", "coffer.backup.passphrase-file")) {
                if (optional(k) != null) {
                    throw new ConfigException(k, "needs coffer.backup.directory (scheduled backups are off without it)");
                }
            }
        }
        int operatorQuorum = integer("coffer.operators.quorum", 2, 1, 10);
        AlertSettings alerts = alerts();
        refuseUnknownKeys();
        return new CofferConfig(node, chains, webhooks, allowlistDelay, checkout, backups, operatorQuorum, alerts);
    }

    private AlertSettings alerts() {
        int every = integer("coffer.reconciliation.every-blocks", AlertSettings.DEFAULT.reconcileEveryBlocks(), 1, 10_000);
        String pause = optional("coffer.reconciliation.pause-transfers");
        if (pause != null && !pause.equals("true") && !pause.equals("false")) {
            throw new ConfigException("coffer.reconciliation.pause-transfers", "true or false");
        }
        String url = optional("coffer.alerts.webhook-url");
        String secret = optional("coffer.alerts.webhook-secret-file");
        if (url == null && secret != null) {
            throw new ConfigException("coffer.alerts.webhook-secret-file", "needs coffer.alerts.webhook-url");
        }
        Optional<java.net.URI> uri = Optional.empty();
        if (url != null) {
            try {
                java.net.URI u = java.net.URI.create(url);
                if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
                    throw new IllegalArgumentException();
                }
                uri = Optional.of(u);
            } catch (IllegalArgumentException e) {
                throw new ConfigException("coffer.alerts.webhook-url", "an http(s) URL");
            }
            if (secret == null) {
                throw new ConfigException("coffer.alerts.webhook-secret-file", "required with coffer.alerts.webhook-url (it signs the posts)");
            }
        }
        return new AlertSettings(every, pause == null || pause.equals("true"), uri, Optional.ofNullable(secret).map(Path::of));
    }

    private BitcoinChainConfig bitcoin(String p, String name) {
        String net = required(p + "network");
        BitcoinNetwork network;
        try {
            network = BitcoinNetwork.fromRpcName(net);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(p + "network", "must be main, test, testnet4, signet or regtest, got '" + net + "'");
        }
        URI url = httpUrl(p + "rpc-url");
        String user = optional(p + "rpc-user");
        String password = optional(p + "rpc-password");
        String cookie = optional(p + "rpc-cookie-file");
        if (cookie != null && (user != null || password != null)) {
            throw new ConfigException(p + "rpc-cookie-file", "set either rpc-cookie-file or rpc-user/rpc-password, not both");
        }
        if (cookie == null && (user == null || password == null)) {
            throw new ConfigException(user == null ? p + "rpc-user" : p + "rpc-password",
                    "bitcoind RPC needs rpc-user and rpc-password, or rpc-cookie-file");
        }
        int confirmations = integer(p + "confirmations", 1, 0, 1000);
        int safety = integer(p + "reorg-safety-depth", Math.max(6, confirmations), confirmations, 10_000);
        Duration poll = duration(p + "poll-interval", Duration.ofSeconds(2));
        int gap = integer(p + "address-gap", 20, 1, 10_000);
        int floor = integer(p + "fee-floor-sat-per-vb", 1, 1, 10_000);
        int fallback = integer(p + "fee-fallback-sat-per-vb", Math.max(2, floor), floor, 10_000);
        int max = integer(p + "fee-max-sat-per-vb", Math.max(500, fallback), fallback, 100_000);
        String zmq = optional(p + "zmq-endpoint");
        URI zmqUri = null;
        if (zmq != null) {
            try {
                zmqUri = new URI(zmq);
            } catch (URISyntaxException e) {
                throw new ConfigException(p + "zmq-endpoint", "is not a valid URL: " + e.getReason());
            }
            if (!"tcp".equals(zmqUri.getScheme()) || zmqUri.getHost() == null || zmqUri.getPort() < 1) {
                throw new ConfigException(p + "zmq-endpoint", "must be tcp://host:port (bitcoind's -zmqpubhashblock), got '" + zmq + "'");
            }
        }
        return new BitcoinChainConfig(name, network, url, user, password, cookie == null ? null : Path.of(cookie),
                confirmations, safety, poll, gap, floor, fallback, max, zmqUri);
    }

    private EvmChainConfig evm(String p, String name) {
        long chainId = longValue(p + "chain-id", null, 1, Long.MAX_VALUE);
        URI url = httpUrl(p + "rpc-url");
        int confirmations = integer(p + "confirmations", 12, 0, 1000);
        int safety = integer(p + "reorg-safety-depth", Math.max(64, confirmations), confirmations, 10_000);
        Duration poll = duration(p + "poll-interval", Duration.ofSeconds(2));
        String nativeSymbol = symbol(p + "native-symbol", "ETH");
        int nativeDecimals = integer(p + "native-decimals", 18, 0, 36);
        boolean eip1559 = bool(p + "eip1559", true);
        List<TokenConfig> tokens = new ArrayList<>();
        Set<String> symbols = new HashSet<>(Set.of(nativeSymbol));
        Set<EvmAddress> contracts = new HashSet<>();
        for (int t : indexes(p + "tokens")) {
            String tp = p + "tokens." + t + ".";
            String symbol = symbol(tp + "symbol", null);
            if (!symbols.add(symbol)) {
                throw new ConfigException(tp + "symbol", "symbol " + symbol + " is used twice on chain " + name);
            }
            EvmAddress contract;
            try {
                contract = EvmAddress.parse(tp + "contract", required(tp + "contract"));
            } catch (CofferException e) {
                throw new ConfigException(tp + "contract", e.getMessage().substring(e.getMessage().indexOf(": ") + 2));
            }
            if (!contracts.add(contract)) {
                throw new ConfigException(tp + "contract", "contract " + contract + " is configured twice on chain " + name);
            }
            tokens.add(new TokenConfig(symbol, contract, integer(tp + "decimals", null, 0, 36), amount(tp + "sweep-threshold")));
        }
        return new EvmChainConfig(name, chainId, url, confirmations, safety, poll, nativeSymbol, nativeDecimals, eip1559, tokens,
                amount(p + "sweep-threshold"), wsUrl(p + "ws-url"));
    }

    /** A base URL links are built on: absolute http(s) with a host, no query or fragment; a trailing slash is dropped. */
    private static URI publicUrl(String v) {
        String key = "coffer.checkout.public-url";
        URI u;
        try {
            u = new URI(v.endsWith("/") ? v.substring(0, v.length() - 1) : v);
        } catch (java.net.URISyntaxException e) {
            throw new ConfigException(key, "not a URL: " + e.getMessage());
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || u.getHost() == null || u.getRawQuery() != null
                || u.getRawFragment() != null || u.getRawUserInfo() != null) {
            throw new ConfigException(key, "an absolute http:// or https:// URL with a host and no query, e.g. https://pay.shop.example");
        }
        return u;
    }

    // --- typed readers -----------------------------------------------------------------------------

    /** The value of {@code key}, the environment winning over the file; null when neither has it. */
    private String optional(String key) {
        read.add(key);
        String fromEnv = env.get(envName(key));
        String v = fromEnv != null ? fromEnv : file.get(key);
        return v == null || v.isBlank() ? null : v.trim();
    }

    private String required(String key) {
        String v = optional(key);
        if (v == null) {
            throw new ConfigException(key, "required (set it in application.yaml or as " + envName(key) + ")");
        }
        return v;
    }

    private String string(String key, String dflt) {
        String v = optional(key);
        return v == null ? dflt : v;
    }

    private boolean bool(String key, boolean dflt) {
        String v = optional(key);
        if (v == null) {
            return dflt;
        }
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new ConfigException(key, "must be true or false, got '" + v + "'");
        };
    }

    private int integer(String key, Integer dflt, int min, int max) {
        return (int) longValue(key, dflt == null ? null : dflt.longValue(), min, max);
    }

    private long longValue(String key, Long dflt, long min, long max) {
        String v = dflt == null ? required(key) : optional(key);
        if (v == null) {
            return dflt;
        }
        long n;
        try {
            n = Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new ConfigException(key, "must be a whole number, got '" + v + "'");
        }
        if (n < min || n > max) {
            throw new ConfigException(key, "must be between " + min + " and " + max + ", got " + n);
        }
        return n;
    }

    /** A non-negative amount in base units (decimal digits), or null when not set. */
    private java.math.BigInteger amount(String key) {
        String v = optional(key);
        if (v == null) {
            return null;
        }
        if (!v.matches("0|[1-9][0-9]{0,77}")) {
            throw new ConfigException(key, "must be a whole number of base units (digits only), got '" + v + "'");
        }
        return new java.math.BigInteger(v);
    }

    private WebhookService.Settings webhooks(boolean devMode) {
        WebhookService.Settings d = WebhookService.Settings.DEFAULT;
        Duration timeout = duration("coffer.webhooks.timeout", d.timeout(), Duration.ofMillis(100), Duration.ofMinutes(1));
        Duration initial = duration("coffer.webhooks.retry-initial", d.retryInitial(), Duration.ofMillis(100), Duration.ofHours(1));
        Duration max = duration("coffer.webhooks.retry-max", d.retryMax().compareTo(initial) < 0 ? initial : d.retryMax(), initial,
                Duration.ofHours(24));
        Duration giveUp = duration("coffer.webhooks.give-up-after", d.giveUpAfter(), Duration.ofSeconds(1), Duration.ofDays(30));
        boolean allowPrivate = bool("coffer.webhooks.allow-private-targets", devMode);
        return new WebhookService.Settings(timeout, initial, max, giveUp, allowPrivate);
    }

    private Duration duration(String key, Duration dflt) {
        return duration(key, dflt, Duration.ofMillis(100), Duration.ofMinutes(10));
    }

    private Duration duration(String key, Duration dflt, Duration min, Duration max) {
        String v = optional(key);
        if (v == null) {
            return dflt;
        }
        Duration d;
        Matcher m = SIMPLE_DURATION.matcher(v);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            d = switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                default -> Duration.ofMinutes(n);
            };
        } else {
            try {
                d = Duration.parse(v);
            } catch (DateTimeParseException e) {
                throw new ConfigException(key, "must be a duration like 500ms, 2s, 1m, 1h, 1d or PT2S, got '" + v + "'");
            }
        }
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw new ConfigException(key, "must be between " + human(min) + " and " + human(max) + ", got " + v);
        }
        return d;
    }

    private static String human(Duration d) {
        return d.isZero() ? "0s" : d.toMillis() % 1000 != 0 ? d.toMillis() + "ms" : d.toSeconds() % 60 != 0 ? d.toSeconds() + "s"
                : d.toMinutes() % 60 != 0 ? d.toMinutes() + "m" : d.toHours() % 24 != 0 ? d.toHours() + "h" : d.toDays() + "d";
    }

    private URI httpUrl(String key) {
        return endpoint(key, required(key), "http", "must not carry credentials; use the rpc-user/rpc-password keys");
    }

    /** An optional WebSocket endpoint: {@code ws://} or {@code wss://} with a host, no credentials in it. */
    private URI wsUrl(String key) {
        String v = optional(key);
        return v == null ? null : endpoint(key, v, "ws", "must not carry credentials");
    }

    /** {@code v} as a URL of {@code scheme} or its secure form ({@code scheme} + "s"), with a host and no credentials. */
    private static URI endpoint(String key, String v, String scheme, String noCredentials) {
        try {
            URI u = new URI(v);
            if (!(scheme.equals(u.getScheme()) || (scheme + "s").equals(u.getScheme())) || u.getHost() == null) {
                throw new ConfigException(key, "must be a " + scheme + ":// or " + scheme + "s:// URL with a host, got '" + redact(v) + "'");
            }
            if (u.getUserInfo() != null) {
                throw new ConfigException(key, noCredentials);
            }
            return u;
        } catch (URISyntaxException e) {
            throw new ConfigException(key, "is not a valid URL: " + e.getReason());
        }
    }

    private String symbol(String key, String dflt) {
        String v = dflt == null ? required(key) : string(key, dflt);
        if (!SYMBOL.matcher(v).matches()) {
            throw new ConfigException(key, "must be 1 to 11 capital letters or digits, got '" + v + "'");
        }
        return v;
    }

    /** The list indexes present under {@code prefix} in the file or the environment, in order. */
    private List<Integer> indexes(String prefix) {
        TreeSet<Integer> found = new TreeSet<>();
        Pattern fileKey = Pattern.compile(Pattern.quote(prefix) + "\\.(\\d+)\\..+");
        for (String k : file.keySet()) {
            Matcher m = fileKey.matcher(k);
            if (m.matches()) {
                found.add(Integer.parseInt(m.group(1)));
            }
        }
        Pattern envKey = Pattern.compile(Pattern.quote(envName(prefix)) + "_(\\d+)_.+");
        for (String k : env.keySet()) {
            Matcher m = envKey.matcher(k);
            if (m.matches()) {
                found.add(Integer.parseInt(m.group(1)));
            }
        }
        int expected = 0;
        for (int i : found) {
            if (i != expected) {
                throw new ConfigException(prefix + "." + expected, "list entries must be numbered from 0 without gaps");
            }
            expected++;
        }
        return List.copyOf(found);
    }

    private void refuseUnknownKeys() {
        for (String k : new TreeSet<>(file.keySet())) {
            if (k.startsWith("coffer.") && !read.contains(k)) {
                throw new ConfigException(k, "unknown key (a typo?)");
            }
        }
    }

    /** The environment variable that overrides {@code key}. */
    public static String envName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private static String redact(String url) {
        return url.replaceAll("//[^/@]*@", "//***@");
    }
}
