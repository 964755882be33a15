package io.coffer.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Compiles test contracts at test time with the solcjs that scripts/devnet installs (scripts/solc-compile.js). */
public final class Solc {
    private Solc() {
    }

    /** A compiled contract. */
    public record Contract(JsonNode abi, String bin) {
    }

    public static Contract compile(Path source, String contract) {
        Devnet.anvil(); // makes sure scripts/devnet install ran (it installs solc too)
        if (!java.nio.file.Files.isDirectory(Devnet.projectRoot().resolve(".devnet/solc/node_modules/solc"))) {
            throw new IllegalStateException("solcjs missing: run scripts/devnet install");
        }
        try {
            Process p = new ProcessBuilder("node", Devnet.projectRoot().resolve("scripts/solc-compile.js").toString(),
                    source.toAbsolutePath().toString()).redirectErrorStream(false).start();
            byte[] out = p.getInputStream().readAllBytes();
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("solc failed on " + source + ":\n" + err);
            }
            JsonNode c = new ObjectMapper().readTree(out).get(contract);
            if (c == null) {
                throw new IllegalStateException("no contract " + contract + " in " + source);
            }
            return new Contract(c.get("abi"), c.get("bin").asText());
        } catch (IOException e) {
            throw new IllegalStateException("cannot run node for solc: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
