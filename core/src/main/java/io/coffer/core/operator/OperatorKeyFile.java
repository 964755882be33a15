package io.coffer.core.operator;

import io.coffer.core.keys.PassphraseCrypto;
import io.coffer.core.keys.Secrets;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * An operator's Ed25519 key on the operator's own machine, written by {@code coffer operator keygen}: the public key in clear
 * (to hand to the admins who add the operator) and the private key sealed with AES-256-GCM under scrypt(passphrase) — never
 * in clear on disk. Format, text, one field per line:
 * <pre>
 * coffer-operator-key 1
 * public &lt;hex, 32 bytes&gt;
 * sealed &lt;base64: salt 16 | nonce 12 | ciphertext+tag; scrypt N=2^15 r=8 p=1; associated data "coffer-operator-key 1" + public hex&gt;
 * </pre>
 */
public final class OperatorKeyFile {
    private static final String MAGIC = "coffer-operator-key 1";
    private static final int LOG2N = 15;

    private OperatorKeyFile() {
    }

    /** A new key, written 0600 to {@code file} (which must not exist); returns its public key. */
    public static byte[] generate(Path file, char[] passphrase, SecureRandom random) throws IOException {
        if (passphrase.length < 12) {
            throw new IllegalArgumentException("the key's passphrase needs 12 characters or more");
        }
        Ed25519PrivateKeyParameters key = new Ed25519PrivateKeyParameters(random);
        byte[] pub = key.generatePublicKey().getEncoded();
        String pubHex = HexFormat.of().formatHex(pub);
        byte[] salt = new byte[16];
        byte[] nonce = new byte[12];
        random.nextBytes(salt);
        random.nextBytes(nonce);
        byte[] k = PassphraseCrypto.scrypt(passphrase, salt, LOG2N, 8, 1);
        byte[] secret = key.getEncoded();
        try {
            GCMBlockCipher gcm = PassphraseCrypto.gcm(true, k, nonce, (MAGIC + pubHex).getBytes(StandardCharsets.US_ASCII));
            byte[] ct = new byte[gcm.getOutputSize(secret.length)];
            int n = gcm.processBytes(secret, 0, secret.length, ct, 0);
            gcm.doFinal(ct, n);
            byte[] sealed = new byte[16 + 12 + ct.length];
            System.arraycopy(salt, 0, sealed, 0, 16);
            System.arraycopy(nonce, 0, sealed, 16, 12);
            System.arraycopy(ct, 0, sealed, 28, ct.length);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, MAGIC + "\npublic " + pubHex + "\nsealed " + Base64.getEncoder().encodeToString(sealed) + "\n");
            return pub;
        } catch (InvalidCipherTextException e) {
            throw new IllegalStateException(e);
        } finally {
            Secrets.wipe(k);
            Secrets.wipe(secret);
        }
    }

    /** The public key of a key file (no passphrase needed). */
    public static byte[] publicKey(Path file) throws IOException {
        return HexFormat.of().parseHex(field(Files.readAllLines(file), "public "));
    }

    /**
     * The key of {@code file}, opened with {@code passphrase}.
     *
     * @throws IllegalArgumentException a wrong passphrase, or not a key file
     */
    public static Ed25519PrivateKeyParameters open(Path file, char[] passphrase) throws IOException {
        List<String> lines = Files.readAllLines(file);
        if (lines.isEmpty() || !lines.get(0).equals(MAGIC)) {
            throw new IllegalArgumentException(file + " is not an operator key file");
        }
        String pubHex = field(lines, "public ");
        byte[] sealed = Base64.getDecoder().decode(field(lines, "sealed "));
        byte[] k = PassphraseCrypto.scrypt(passphrase, java.util.Arrays.copyOfRange(sealed, 0, 16), LOG2N, 8, 1);
        byte[] secret = new byte[32];
        try {
            GCMBlockCipher gcm = PassphraseCrypto.gcm(false, k, java.util.Arrays.copyOfRange(sealed, 16, 28),
                    (MAGIC + pubHex).getBytes(StandardCharsets.US_ASCII));
            byte[] out = new byte[gcm.getOutputSize(sealed.length - 28)];
            int n = gcm.processBytes(sealed, 28, sealed.length - 28, out, 0);
            gcm.doFinal(out, n);
            System.arraycopy(out, 0, secret, 0, 32);
            Secrets.wipe(out);
            Ed25519PrivateKeyParameters key = new Ed25519PrivateKeyParameters(secret, 0);
            if (!HexFormat.of().formatHex(key.generatePublicKey().getEncoded()).equals(pubHex)) {
                throw new IllegalArgumentException(file + ": the key does not match its public key");
            }
            return key;
        } catch (InvalidCipherTextException e) {
            throw new IllegalArgumentException("wrong passphrase for " + file);
        } finally {
            Secrets.wipe(k);
            Secrets.wipe(secret);
        }
    }

    /** The signature of one call, as {@link OperatorService#authenticate} checks it. */
    public static byte[] sign(Ed25519PrivateKeyParameters key, String name, long timestampMillis, String nonce, String method) {
        Ed25519Signer s = new Ed25519Signer();
        s.init(true, key);
        byte[] m = OperatorService.signedMessage(name, timestampMillis, nonce, method);
        s.update(m, 0, m.length);
        return s.generateSignature();
    }

    private static String field(List<String> lines, String prefix) {
        return lines.stream().filter(l -> l.startsWith(prefix)).map(l -> l.substring(prefix.length()).trim()).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("not an operator key file (no '" + prefix.trim() + "' line)"));
    }
}
