package io.coffer.core.custody;

import io.coffer.core.error.CofferException;
import io.coffer.core.error.ErrorKind;
import io.coffer.core.keys.PassphraseCrypto;
import io.coffer.core.keys.Secrets;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Map;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.modes.GCMBlockCipher;

/**
 * The master secret encrypted under a passphrase, on disk.
 *
 * <p>Format, version 1 (all integers big-endian):
 * <pre>
 * magic "CFSEED" (6) | version u8 = 1 | kdf u8 (1 = scrypt) | log2 N u8 | r u8 | p u8 | salt (16)
 *   | nonce (12) | master fingerprint (4) | ciphertext length u32 | AES-256-GCM ciphertext + 16-byte tag
 * </pre>
 * The key is scrypt(passphrase UTF-8, salt, N, r, p) → 32 bytes; everything before the ciphertext is
 * authenticated as associated data, so changing the KDF parameters or the fingerprint is detected like a
 * change to the ciphertext. The file is written atomically (temp file, fsync, rename, fsync of the
 * directory) with mode 0600.
 */
public final class SeedFile {
    private static final byte[] MAGIC = "CFSEED".getBytes(StandardCharsets.US_ASCII);
    private static final int VERSION = 1;
    private static final int KDF_SCRYPT = 1;
    /** scrypt N = 2^17, r = 8, p = 1: 128 MiB and about half a second per try on a server core. */
    public static final KdfParams DEFAULT_KDF = new KdfParams(17, 8, 1);
    private static final int HEADER = MAGIC.length + 1 + 1 + 3 + 16 + 12 + 4 + 4;

    private SeedFile() {
    }

    /** scrypt cost parameters, stored in the file. */
    public record KdfParams(int log2N, int r, int p) {
        public KdfParams {
            if (log2N < 10 || log2N > 22 || r < 1 || r > 32 || p < 1 || p > 16) {
                throw new IllegalArgumentException("scrypt parameters out of range");
            }
        }
    }

    /** Encrypts {@code masterSecret} and writes it to {@code file}; refuses to overwrite an existing file. */
    public static void write(Path file, byte[] masterSecret, int fingerprint, char[] passphrase, KdfParams kdf, SecureRandom random) {
        byte[] salt = new byte[16];
        byte[] nonce = new byte[12];
        random.nextBytes(salt);
        random.nextBytes(nonce);
        byte[] key = PassphraseCrypto.scrypt(passphrase, salt, kdf.log2N(), kdf.r(), kdf.p());
        int ctLen = masterSecret.length + 16;
        ByteBuffer header = ByteBuffer.allocate(HEADER);
        header.put(MAGIC).put((byte) VERSION).put((byte) KDF_SCRYPT).put((byte) kdf.log2N()).put((byte) kdf.r()).put((byte) kdf.p())
                .put(salt).put(nonce).putInt(fingerprint).putInt(ctLen);
        byte[] aad = header.array();
        byte[] out = Arrays.copyOf(aad, HEADER + ctLen);
        try {
            GCMBlockCipher gcm = PassphraseCrypto.gcm(true, key, nonce, aad);
            int n = gcm.processBytes(masterSecret, 0, masterSecret.length, out, HEADER);
            gcm.doFinal(out, HEADER + n);
            writeAtomically(file, out);
        } catch (InvalidCipherTextException e) {
            throw new IllegalStateException("AES-GCM encryption failed", e);
        } finally {
            Secrets.wipe(key);
        }
    }

    /**
     * Reads and decrypts the master secret. The caller wipes it.
     *
     * @throws CofferException {@code SEED_FILE_MISSING}, {@code SEED_FILE_CORRUPT}, {@code SEED_FILE_VERSION},
     *                         or {@code SEED_FILE_DECRYPT} (wrong passphrase, or the file was modified)
     */
    public static byte[] read(Path file, char[] passphrase) {
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw error("SEED_FILE_MISSING", "no seed file at " + file);
        } catch (IOException e) {
            throw error("SEED_FILE_CORRUPT", "cannot read the seed file " + file + ": " + e.getClass().getSimpleName());
        }
        if (all.length < HEADER + 16 + 16 || !Arrays.equals(Arrays.copyOf(all, MAGIC.length), MAGIC)) {
            throw error("SEED_FILE_CORRUPT", file + " is not a Coffer seed file, or it is truncated");
        }
        ByteBuffer b = ByteBuffer.wrap(all);
        b.position(MAGIC.length);
        int version = b.get() & 0xFF;
        if (version != VERSION) {
            throw error("SEED_FILE_VERSION", file + " has format version " + version + "; this build reads version " + VERSION
                    + " (written by a newer Coffer?)");
        }
        int kdfId = b.get() & 0xFF;
        if (kdfId != KDF_SCRYPT) {
            throw error("SEED_FILE_VERSION", file + " uses an unknown key derivation (" + kdfId + ")");
        }
        KdfParams kdf;
        try {
            kdf = new KdfParams(b.get() & 0xFF, b.get() & 0xFF, b.get() & 0xFF);
        } catch (IllegalArgumentException e) {
            throw error("SEED_FILE_CORRUPT", file + " has impossible scrypt parameters (modified?)");
        }
        byte[] salt = new byte[16];
        byte[] nonce = new byte[12];
        b.get(salt).get(nonce);
        b.getInt(); // fingerprint: authenticated below, checked by the caller against the keyring
        int ctLen = b.getInt();
        if (ctLen != all.length - HEADER) {
            throw error("SEED_FILE_CORRUPT", file + " is truncated or has trailing bytes");
        }
        byte[] key = PassphraseCrypto.scrypt(passphrase, salt, kdf.log2N(), kdf.r(), kdf.p());
        byte[] plain = new byte[ctLen - 16];
        try {
            GCMBlockCipher gcm = PassphraseCrypto.gcm(false, key, nonce, Arrays.copyOf(all, HEADER));
            byte[] buf = new byte[ctLen];
            int n = gcm.processBytes(all, HEADER, ctLen, buf, 0);
            gcm.doFinal(buf, n);
            System.arraycopy(buf, 0, plain, 0, plain.length);
            Secrets.wipe(buf);
            return plain;
        } catch (InvalidCipherTextException e) {
            Secrets.wipe(plain);
            throw error("SEED_FILE_DECRYPT", "cannot decrypt " + file + ": wrong passphrase, or the file was modified");
        } finally {
            Secrets.wipe(key);
            Secrets.wipe(all);
        }
    }

    /** The master fingerprint recorded in the file's (authenticated) header, without decrypting. */
    public static int fingerprint(Path file) {
        try {
            byte[] head = new byte[HEADER];
            try (var in = Files.newInputStream(file)) {
                if (in.readNBytes(head, 0, HEADER) != HEADER) {
                    throw error("SEED_FILE_CORRUPT", file + " is truncated");
                }
            }
            return ByteBuffer.wrap(head).getInt(MAGIC.length + 5 + 16 + 12);
        } catch (IOException e) {
            throw error("SEED_FILE_CORRUPT", "cannot read " + file);
        }
    }



    /** Temp file with mode 0600 → fsync → atomic rename → fsync of the directory. */
    static void writeAtomically(Path file, byte[] content) {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = dir.resolve(file.getFileName() + ".tmp");
        try {
            Files.createDirectories(dir);
            if (Files.exists(file)) {
                throw new FileAlreadyExistsException(file.toString());
            }
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap(content));
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the file system cannot rename atomically", e);
            }
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            }
        } catch (FileAlreadyExistsException e) {
            throw error("SEED_FILE_EXISTS", "a seed file already exists at " + file + "; it is never overwritten");
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // Best effort: the temp file holds only ciphertext.
            }
            throw error("SEED_FILE_WRITE", "cannot write the seed file " + file + ": " + e.getMessage());
        }
    }

    private static CofferException error(String code, String message) {
        return new CofferException(ErrorKind.FAILED_PRECONDITION, code, null, message, Map.of(), null);
    }
}
