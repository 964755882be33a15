package io.coffer.core.operator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals the operators' TOTP secrets (AES-256-GCM, a fresh 96-bit nonce each) under a key kept in the data directory's
 * {@code operators.key} (0600), not in the store: a backup of the store carries them sealed and useless without this node's
 * key, so after a restore on another machine operators enroll again.
 */
public final class SecretBox {
    public static final String FILE = "operators.key";
    private final byte[] key;
    private final SecureRandom random;

    private SecretBox(byte[] key, SecureRandom random) {
        this.key = key;
        this.random = random;
    }

    /** The box of {@code dataDir}, its key made (0600) the first time. */
    public static SecretBox open(Path dataDir, SecureRandom random) {
        Path file = dataDir.resolve(FILE);
        try {
            if (!Files.exists(file)) {
                byte[] k = new byte[32];
                random.nextBytes(k);
                Path tmp = dataDir.resolve(FILE + ".tmp");
                Files.deleteIfExists(tmp);
                Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.write(tmp, k);
                Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
            byte[] k = Files.readAllBytes(file);
            if (k.length != 32) {
                throw new IllegalStateException(file + " is not a 32-byte key");
            }
            return new SecretBox(k, random);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or make " + file, e);
        }
    }

    /** nonce (12) | ciphertext with tag; {@code context} (the operator's name) is bound as associated data. */
    public byte[] seal(byte[] secret, String context) {
        byte[] nonce = new byte[12];
        random.nextBytes(nonce);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
            c.updateAAD(context.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            byte[] ct = c.doFinal(secret);
            byte[] out = new byte[12 + ct.length];
            System.arraycopy(nonce, 0, out, 0, 12);
            System.arraycopy(ct, 0, out, 12, ct.length);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable", e);
        }
    }

    /** The secret, or empty when this node's key did not seal it (a store restored on another machine). */
    public java.util.Optional<byte[]> open(byte[] sealed, String context) {
        if (sealed.length < 12 + 16) {
            return java.util.Optional.empty();
        }
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, sealed, 0, 12));
            c.updateAAD(context.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.Optional.of(c.doFinal(sealed, 12, sealed.length - 12));
        } catch (javax.crypto.AEADBadTagException e) {
            return java.util.Optional.empty();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable", e);
        }
    }
}
