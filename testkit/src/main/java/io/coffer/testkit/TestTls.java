package io.coffer.testkit;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A self-signed EC certificate for 127.0.0.1 and localhost, made with the JDK's keytool, and the node configuration that serves
 * it: tests of TLS on the gRPC port without any network or CA.
 *
 * @param keystore PKCS12 keystore holding the key and certificate under alias "coffer"
 * @param pem      the certificate alone, PEM: what a client trusts
 */
public record TestTls(Path keystore, Path pem, String password) {
    public static TestTls create(Path dir) throws IOException, InterruptedException {
        Path keystore = dir.resolve("node.p12");
        Path pem = dir.resolve("node.pem");
        String password = "test-pass";
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        run(List.of(keytool, "-genkeypair", "-alias", "coffer", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=coffer-test",
                "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2", "-keystore", keystore.toString(), "-storetype", "PKCS12",
                "-storepass", password, "-keypass", password));
        run(List.of(keytool, "-exportcert", "-rfc", "-alias", "coffer", "-keystore", keystore.toString(), "-storepass", password,
                "-file", pem.toString()));
        return new TestTls(keystore, pem, password);
    }

    /** The {@code server.tls} block (indented for {@link Devnet#nodeYaml}'s {@code server:} section). */
    public String serverYaml() {
        return """
                  tls:
                    private-key:
                      keystore:
                        passphrase: "%s"
                        key:
                          alias: "coffer"
                        cert-chain:
                          alias: "coffer"
                        resource:
                          path: "%s"
                """.formatted(password, keystore);
    }

    /** {@code yaml} (from {@link Devnet#nodeYaml}) with TLS on its port. */
    public String onPort(String yaml) {
        // The first "port: 0" is the gRPC port's (the checkout socket's comes after it).
        return yaml.replaceFirst(java.util.regex.Pattern.quote("  port: 0\n"), java.util.regex.Matcher.quoteReplacement("  port: 0\n" + serverYaml()));
    }

    private static void run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException("keytool failed: " + out);
        }
    }
}
