package io.coffer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coffer.api.CofferNode;
import io.coffer.api.NodeConfiguration;
import io.coffer.testkit.AnvilNode;
import io.coffer.testkit.BitcoindNode;
import io.coffer.testkit.Devnet;
import io.coffer.testkit.WithDevnet;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The CLI against a node started by the production wiring on real dev chains. */
@WithDevnet
class CliIT {
    @TempDir
    Path dir;

    record Result(int exit, String out, String err) {
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = CofferCli.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    @Test
    void healthAndServicesOfARunningNode(BitcoindNode btc, AnvilNode anvil) throws Exception {
        Path config = dir.resolve("coffer.yaml");
        Files.writeString(config, Devnet.nodeYaml(dir.resolve("data"), btc.rpcUrl(), anvil.rpcUrl(), true));
        try (CofferNode node = CofferNode.start(NodeConfiguration.load(config, Map.of()))) {
            String addr = "127.0.0.1:" + node.port();
            Result health = run("--node", addr, "health");
            assertEquals(0, health.exit(), health.err());
            assertEquals("node: SERVING", health.out().trim());
            Result chains = run("--node", addr, "chains", "--data-dir", dir.resolve("data").toString());
            assertEquals(0, chains.exit(), chains.err());
            assertTrue(chains.out().lines().anyMatch(l -> l.matches("bitcoin \\(bitcoin, regtest\\): tip \\d+, processed \\d+, \\d+ behind"))
                    && chains.out().lines().anyMatch(l -> l.matches("ethereum \\(evm, 31337\\): tip \\d+, processed \\d+, \\d+ behind")),
                    chains.out());

            Result perService = run("--node", addr, "health", "coffer.v1.Payments", "no.such.Service");
            assertEquals(1, perService.exit());
            assertTrue(perService.out().contains("coffer.v1.Payments: SERVING"), perService.out());
            assertTrue(perService.out().contains("no.such.Service: NOT_FOUND"), perService.out());

            Result tenant = run("--node", addr, "tenant", "create", "Coffee Shop", "--data-dir", dir.resolve("data").toString());
            assertEquals(0, tenant.exit(), tenant.err());
            String tenantId = tenant.out().split(" ")[0];
            Result key = run("--node", addr, "apikey", "create", "--tenant", tenantId, "--scope", "read", "--scope", "payments",
                    "--scope", "admin", "--data-dir", dir.resolve("data").toString());
            assertEquals(0, key.exit(), key.err());
            assertTrue(key.out().contains("ck_"), key.out());
            String keyId = key.out().split(" ")[1];
            Result list = run("--node", addr, "apikey", "list", "--data-dir", dir.resolve("data").toString());
            assertTrue(list.out().contains(keyId) && !list.out().contains("ck_"), "listed without its secret: " + list.out());
            assertTrue(list.out().contains("never-used"), "a key nobody used yet says so: " + list.out());

            // A merchant's payment request from the shell, with the key read from a file.
            Path keyFile = dir.resolve("api-key");
            Files.writeString(keyFile, key.out().lines().filter(l -> l.startsWith("ck_")).findFirst().orElseThrow());
            Result created = run("--node", addr, "payment", "create", "--api-key-file", keyFile.toString(), "--asset", "bitcoin/BTC",
                    "--amount", "125000", "--idempotency-key", "order-7", "--order-id", "order-7", "--description", "Coffee");
            assertEquals(0, created.exit(), created.err());
            String prId = created.out().split(" ")[0];
            assertTrue(prId.startsWith("pr_") && created.out().contains(" PENDING 125000 bitcoin/BTC paid 0 confirmed 0 bcrt1q"), created.out());
            assertTrue(created.out().contains("bitcoin:bcrt1q") && created.out().contains("?amount=0.00125&message=Coffee"), created.out());
            assertEquals(created.out().lines().findFirst(), run("--node", addr, "payment", "create", "--api-key-file", keyFile.toString(),
                    "--asset", "bitcoin/BTC", "--amount", "125000", "--idempotency-key", "order-7", "--order-id", "order-7",
                    "--description", "Coffee").out().lines().findFirst(), "a retry with the same key is the same request");
            Result bad = run("--node", addr, "payment", "create", "--api-key-file", keyFile.toString(), "--asset", "bitcoin/BTC",
                    "--amount", "-1", "--idempotency-key", "order-8");
            assertNotEquals(0, bad.exit());
            assertTrue(bad.err().contains("amount"), "the error names the field: " + bad.err());
            assertTrue(run("--node", addr, "payment", "list", "--api-key-file", keyFile.toString()).out().startsWith(prId + " PENDING"));
            Result cancelled = run("--node", addr, "payment", "cancel", prId, "--api-key-file", keyFile.toString());
            assertEquals(0, cancelled.exit(), cancelled.err());
            assertTrue(run("--node", addr, "payment", "get", prId, "--api-key-file", keyFile.toString()).out().startsWith(prId + " CANCELLED"));
            // The events those calls made, past and followed, and the webhook commands.
            Result events = run("--node", addr, "events", "list", "--api-key-file", keyFile.toString());
            assertEquals(0, events.exit(), events.err());
            List<String> lines = events.out().lines().toList();
            assertEquals(3, lines.size(), events.out());
            assertTrue(lines.get(0).matches("1 ev_[0-9a-f]+ PAYMENT_REQUEST_CREATED " + prId + " PENDING amount 125000 paid 0 confirmed 0 bitcoin/BTC"),
                    lines.get(0));
            assertTrue(lines.get(1).matches("2 ev_[0-9a-f]+ PAYMENT_REQUEST_UPDATED " + prId + " CANCELLED amount 125000 paid 0 confirmed 0 bitcoin/BTC"),
                    lines.get(1));
            assertEquals("latest sequence 2", lines.get(2));
            Result followed = run("--node", addr, "events", "follow", "--after", "1", "--count", "1", "--api-key-file", keyFile.toString());
            assertEquals(0, followed.exit(), followed.err());
            assertEquals(lines.get(1), followed.out().strip());
            Result hook = run("--node", addr, "webhook", "set", "--url", "http://127.0.0.1:9/hook", "--api-key-file", keyFile.toString());
            assertEquals(0, hook.exit(), hook.err());
            assertTrue(hook.out().matches("(?s)http://127.0.0.1:9/hook\\R+signing secret: whsec_[0-9a-f]{64}\\R*"), hook.out());
            Result badHook = run("--node", addr, "webhook", "set", "--url", "ftp://example.com/x", "--api-key-file", keyFile.toString());
            assertNotEquals(0, badHook.exit());
            assertTrue(badHook.err().contains("url"), badHook.err());
            assertTrue(run("--node", addr, "webhook", "get", "--api-key-file", keyFile.toString()).out().startsWith("http://127.0.0.1:9/hook"));
            run("--node", addr, "payment", "create", "--api-key-file", keyFile.toString(), "--asset", "bitcoin/BTC", "--amount", "1",
                    "--idempotency-key", "order-9");
            Result deliveries = run("--node", addr, "webhook", "deliveries", "--api-key-file", keyFile.toString());
            assertTrue(deliveries.out().startsWith("3 ev_") && deliveries.out().contains(" PENDING attempts "), deliveries.out());
            String eventId = deliveries.out().split(" ")[1];
            Result redeliver = run("--node", addr, "webhook", "redeliver", eventId, "--api-key-file", keyFile.toString());
            assertEquals(eventId + " queued for delivery", redeliver.out().strip(), redeliver.err());
            assertTrue(run("--node", addr, "audit", "--data-dir", dir.resolve("data").toString()).out().contains("webhook.redeliver"));
            // The operator's CSV report of the tenant's payment requests, to stdout and to a 0600 file.
            String today = java.time.LocalDate.now(java.time.ZoneOffset.UTC).toString();
            String tomorrow = java.time.LocalDate.now(java.time.ZoneOffset.UTC).plusDays(1).toString();
            Result report = run("--node", addr, "report", "--tenant", tenantId, "--kind", "payment-requests", "--from", today, "--to", tomorrow,
                    "--data-dir", dir.resolve("data").toString());
            assertEquals(0, report.exit(), report.err());
            List<String> rows = report.out().lines().toList();
            assertTrue(rows.get(0).startsWith("id,created_at,asset,amount,status,"), rows.get(0));
            assertTrue(rows.stream().anyMatch(r -> r.startsWith(prId + ",") && r.contains(",CANCELLED,")), report.out());
            Path csv = dir.resolve("report.csv");
            assertEquals(0, run("--node", addr, "report", "--tenant", tenantId, "--kind", "transfers", "--from", today, "--to", tomorrow,
                    "--out", csv.toString(), "--data-dir", dir.resolve("data").toString()).exit());
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(csv)));
            Result badRange = run("--node", addr, "report", "--tenant", tenantId, "--kind", "deposits", "--from", tomorrow, "--to", today,
                    "--data-dir", dir.resolve("data").toString());
            assertNotEquals(0, badRange.exit());
            assertTrue(badRange.err().contains("to"), badRange.err());
            assertTrue(run("--node", addr, "apikey", "list", "--data-dir", dir.resolve("data").toString()).out().contains("last-used "),
                    "the key's use is recorded");
            assertEquals(0, run("--node", addr, "apikey", "revoke", keyId, "--data-dir", dir.resolve("data").toString()).exit());
            assertEquals(Exits.USAGE, run("--node", addr, "apikey", "create", "--tenant", tenantId, "--scope", "root",
                    "--data-dir", dir.resolve("data").toString()).exit());

            Result services = run("--node", addr, "services");
            assertEquals(0, services.exit(), services.err());
            for (String s : new String[] {"coffer.v1.Admin", "coffer.v1.Events", "coffer.v1.Payments", "coffer.v1.Transfers",
                "coffer.v1.Wallet", "grpc.health.v1.Health"}) {
                assertTrue(services.out().contains(s), services.out());
            }
        }
    }

    @Test
    void talksTlsToANodeServingIt(BitcoindNode btc, AnvilNode anvil) throws Exception {
        io.coffer.testkit.TestTls tls = io.coffer.testkit.TestTls.create(dir);
        Path config = dir.resolve("coffer-tls.yaml");
        Files.writeString(config, tls.onPort(Devnet.nodeYaml(dir.resolve("data-tls"), btc.rpcUrl(), anvil.rpcUrl(), true)));
        try (CofferNode node = CofferNode.start(NodeConfiguration.load(config, Map.of()))) {
            String addr = "127.0.0.1:" + node.port();
            Result health = run("--node", addr, "--tls-ca", tls.pem().toString(), "health");
            assertEquals(0, health.exit(), health.err());
            assertEquals("node: SERVING", health.out().trim());
            Result untrusted = run("--node", addr, "--tls", "--timeout", "3", "health");
            assertNotEquals(0, untrusted.exit(), "a self-signed certificate is not trusted by default");
            Result plain = run("--node", addr, "--timeout", "3", "health");
            assertNotEquals(0, plain.exit(), "plaintext gets no answer from a TLS port");
        }
    }

    @Test
    void anUnreachableNodeIsExitCode4AndABadAddressIsUsage() {
        Result r = run("--node", "127.0.0.1:" + Devnet.freePort(), "--timeout", "3", "health");
        assertEquals(4, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains("unreachable"), r.err());
        assertEquals(2, run("--node", "nonsense", "health").exit());
    }
}
