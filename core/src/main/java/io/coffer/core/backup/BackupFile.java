package io.coffer.core.backup;

import io.coffer.core.keys.PassphraseCrypto;
import io.coffer.core.keys.Secrets;
import io.coffer.core.custody.SeedFile;
import io.coffer.core.store.RecordSink;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.modes.GCMBlockCipher;

/**
 * The backup file, format version 1: a copy of every record of the store at one moment, encrypted.
 *
 * <pre>
 * "COFFERBK" (8 bytes) | format version (1 byte) = 1
 * | header length (u32) | header: UTF-8 lines "name=value", in clear and authenticated:
 *     format, schema-version, node-version, created-at (ISO-8601 UTC), kdf=scrypt, kdf-log2n, kdf-r, kdf-p, kdf-salt (hex),
 *     cipher=AES-256-GCM, chunk-size, nonce-prefix (hex, 7 bytes)
 * | chunks: ciphertext length (u32) | AES-256-GCM ciphertext with its 16-byte tag
 *     key: scrypt(passphrase, salt); nonce: nonce-prefix | chunk number (u32) | 1 for the last chunk else 0;
 *     associated data: SHA-256 of the header bytes. Chunks cannot be dropped, reordered, cut off or moved to another file.
 * plaintext, the chunks' contents one after the other:
 *     records: 0x01 | key length (u32) | key | value length (u32) | value     (raw store records, in key order)
 *     then: 0x02 | trailer length (u32) | trailer: UTF-8 lines "records=N" then per table (first key byte, 2 hex digits)
 *           "table.XX=count sha256-hex" of that table's records (each as key length | key | value length | value)
 * </pre>
 *
 * The node's master secret is never in a backup: it is not in the store (custodians hold it as SLIP-39 shares). A backup
 * holds the ledger: tenants, API key hashes, payment requests, events, transfers and their signed transactions, policies, the
 * audit log, the watched addresses and the public key ring.
 */
public final class BackupFile {
    static final byte[] MAGIC = "COFFERBK".getBytes(StandardCharsets.US_ASCII);
    static final int FORMAT = 1;
    static final int CHUNK = 1 << 20;
    private static final int MAX_HEADER = 4096;
    private static final int MAX_TRAILER = 64 * 1024;
    /** Default scrypt cost: 2^15 x 8 (32 MiB, about a tenth of a second here); stored in the file. */
    public static final SeedFile.KdfParams DEFAULT_KDF = new SeedFile.KdfParams(15, 8, 1);

    private BackupFile() {
    }

    /** What a backup's header says, readable before the passphrase is checked. */
    public record Header(int format, int schemaVersion, String nodeVersion, Instant createdAt) {
    }

    /** What reading a whole backup found: its header, the records and, per table (first key byte), their count. */
    public record Summary(Header header, long records, Map<Integer, Long> tables) {
    }

    /** A backup that cannot be read: wrong passphrase, damaged, cut off, or not a backup. The message says which. */
    public static final class BackupException extends RuntimeException {
        private final String code;

        BackupException(String code, String message) {
            super(message);
            this.code = code;
        }

        public String code() {
            return code;
        }
    }

    /** Writes a backup to {@code out}: call {@link #record} for every record in key order, then {@link #finish}. */
    public static final class Writer implements RecordSink {
        private final OutputStream out;
        private final byte[] key;
        private final byte[] noncePrefix;
        private final byte[] aad;
        private final ByteArrayOutputStream pending = new ByteArrayOutputStream(CHUNK + 1024);
        private final Map<Integer, TableSum> tables = new TreeMap<>();
        private final Header header;
        private long records;
        private int chunk;

        public Writer(OutputStream out, char[] passphrase, int schemaVersion, String nodeVersion, Instant createdAt,
                      SeedFile.KdfParams kdf, SecureRandom random) {
            this.out = out;
            this.header = new Header(FORMAT, schemaVersion, clean(nodeVersion), createdAt);
            byte[] salt = new byte[16];
            random.nextBytes(salt);
            noncePrefix = new byte[7];
            random.nextBytes(noncePrefix);
            String header = "format=" + FORMAT + "\nschema-version=" + schemaVersion + "\nnode-version=" + clean(nodeVersion)
                    + "\ncreated-at=" + createdAt + "\nkdf=scrypt\nkdf-log2n=" + kdf.log2N() + "\nkdf-r=" + kdf.r() + "\nkdf-p="
                    + kdf.p() + "\nkdf-salt=" + HexFormat.of().formatHex(salt) + "\ncipher=AES-256-GCM\nchunk-size=" + CHUNK
                    + "\nnonce-prefix=" + HexFormat.of().formatHex(noncePrefix) + "\n";
            byte[] h = header.getBytes(StandardCharsets.UTF_8);
            aad = sha256(h);
            key = PassphraseCrypto.scrypt(passphrase, salt, kdf.log2N(), kdf.r(), kdf.p());
            try {
                out.write(MAGIC);
                out.write(FORMAT);
                out.write(u32(h.length));
                out.write(h);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void record(byte[] k, byte[] v) {
            byte[] framed = frame(k, v);
            pending.write(1);
            pending.writeBytes(framed);
            tables.computeIfAbsent(k.length == 0 ? -1 : k[0] & 0xff, t -> new TableSum()).add(framed);
            records++;
            if (pending.size() >= CHUNK) {
                flush(false);
            }
        }

        /** Writes the trailer and the last chunk; the key is wiped. */
        public Summary finish() {
            StringBuilder trailer = new StringBuilder("records=" + records + "\n");
            Map<Integer, Long> counts = new TreeMap<>();
            tables.forEach((t, sum) -> {
                trailer.append("table.").append(String.format("%02x", t)).append('=').append(sum.count).append(' ')
                        .append(HexFormat.of().formatHex(sum.digest.digest())).append('\n');
                counts.put(t, sum.count);
            });
            byte[] t = trailer.toString().getBytes(StandardCharsets.UTF_8);
            pending.write(2);
            pending.writeBytes(u32(t.length));
            pending.writeBytes(t);
            try {
                flush(true);
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                Secrets.wipe(key);
            }
            return new Summary(header, records, counts);
        }

        /** Encrypts what is pending as one chunk (several when over the chunk size). */
        private void flush(boolean last) {
            byte[] all = pending.toByteArray();
            pending.reset();
            int at = 0;
            do {
                int n = Math.min(CHUNK, all.length - at);
                boolean isLast = last && at + n == all.length;
                byte[] sealed = seal(key, nonce(noncePrefix, chunk++, isLast), aad, Arrays.copyOfRange(all, at, at + n));
                try {
                    out.write(u32(sealed.length));
                    out.write(sealed);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                at += n;
            } while (at < all.length);
            Arrays.fill(all, (byte) 0);
        }
    }

    /**
     * A backup passphrase kept in a file: its first line, surrounding blanks stripped. The one reading of such a file, for the
     * node's scheduled backups and the CLI alike, so the file that encrypted a backup always opens it. Caller wipes.
     */
    public static char[] passphraseFile(java.nio.file.Path file) throws IOException {
        byte[] bytes = java.nio.file.Files.readAllBytes(file);
        try {
            String text = new String(bytes, StandardCharsets.UTF_8);
            int end = text.indexOf('\n');
            return (end < 0 ? text : text.substring(0, end)).strip().toCharArray();
        } finally {
            Secrets.wipe(bytes);
        }
    }

    /** Reads only the header (no passphrase needed): what, from when, by which node. */
    public static Header header(InputStream in) throws IOException {
        return parseHeader(readHeader(new DataInputStream(in)));
    }

    /**
     * Reads and checks a whole backup, handing each record to {@code sink} (which may be a no-op, to verify only): every chunk
     * authenticated and in place, the end present, and each table's count and checksum as the trailer says.
     *
     * @throws BackupException {@code BACKUP_PASSPHRASE} (wrong passphrase, or the file's first chunk is damaged),
     *                         {@code BACKUP_DAMAGED}, {@code BACKUP_TRUNCATED}, {@code BACKUP_NOT_A_BACKUP}, {@code BACKUP_VERSION}
     */
    public static Summary read(InputStream input, char[] passphrase, RecordSink sink) throws IOException {
        DataInputStream in = new DataInputStream(input);
        byte[] h = readHeader(in);
        Header header = parseHeader(h);
        Map<String, String> fields = fields(h);
        SeedFile.KdfParams kdf;
        byte[] salt;
        byte[] prefix;
        try {
            kdf = new SeedFile.KdfParams(Integer.parseInt(fields.get("kdf-log2n")), Integer.parseInt(fields.get("kdf-r")),
                    Integer.parseInt(fields.get("kdf-p")));
            salt = HexFormat.of().parseHex(fields.get("kdf-salt"));
            prefix = HexFormat.of().parseHex(fields.get("nonce-prefix"));
        } catch (RuntimeException e) {
            throw new BackupException("BACKUP_DAMAGED", "the backup's header is damaged");
        }
        if (!"scrypt".equals(fields.get("kdf")) || !"AES-256-GCM".equals(fields.get("cipher")) || prefix.length != 7) {
            throw new BackupException("BACKUP_DAMAGED", "the backup's header names an unknown key derivation or cipher");
        }
        byte[] aad = sha256(h);
        byte[] key = PassphraseCrypto.scrypt(passphrase, salt, kdf.log2N(), kdf.r(), kdf.p());
        try {
            Plain plain = new Plain(in, key, prefix, aad);
            Map<Integer, TableSum> tables = new TreeMap<>();
            long records = 0;
            while (true) {
                int tag = plain.read();
                if (tag == 1) {
                    byte[] k = plain.bytes(plain.u32(Integer.MAX_VALUE));
                    byte[] v = plain.bytes(plain.u32(Integer.MAX_VALUE));
                    tables.computeIfAbsent(k.length == 0 ? -1 : k[0] & 0xff, t -> new TableSum()).add(frame(k, v));
                    records++;
                    sink.record(k, v);
                } else if (tag == 2) {
                    String trailer = new String(plain.bytes(plain.u32(MAX_TRAILER)), StandardCharsets.UTF_8);
                    plain.end();
                    Map<Integer, Long> counts = check(trailer, records, tables);
                    return new Summary(header, records, counts);
                } else {
                    throw new BackupException("BACKUP_DAMAGED", "the backup's contents are damaged (record tag " + tag + ")");
                }
            }
        } finally {
            Secrets.wipe(key);
        }
    }

    private static Map<Integer, Long> check(String trailer, long records, Map<Integer, TableSum> tables) {
        Map<String, String> f = fields(trailer.getBytes(StandardCharsets.UTF_8));
        if (!String.valueOf(records).equals(f.get("records"))) {
            throw new BackupException("BACKUP_DAMAGED", "the backup holds " + records + " records, its trailer says " + f.get("records"));
        }
        Map<Integer, Long> counts = new TreeMap<>();
        for (var e : tables.entrySet()) {
            String want = f.remove("table." + String.format("%02x", e.getKey()));
            String got = e.getValue().count + " " + HexFormat.of().formatHex(e.getValue().digest.digest());
            if (!got.equals(want)) {
                throw new BackupException("BACKUP_DAMAGED", "table " + String.format("%02x", e.getKey()) + " does not match its checksum");
            }
            counts.put(e.getKey(), e.getValue().count);
        }
        if (f.keySet().stream().anyMatch(k -> k.startsWith("table."))) {
            throw new BackupException("BACKUP_DAMAGED", "the trailer names tables the backup does not hold");
        }
        return counts;
    }

    /** The decrypted stream of chunks, read on demand. */
    private static final class Plain {
        private final DataInputStream in;
        private final byte[] key;
        private final byte[] prefix;
        private final byte[] aad;
        private byte[] chunk = new byte[0];
        private int at;
        private int number;
        private boolean last;

        Plain(DataInputStream in, byte[] key, byte[] prefix, byte[] aad) {
            this.in = in;
            this.key = key;
            this.prefix = prefix;
            this.aad = aad;
        }

        int read() throws IOException {
            if (at == chunk.length) {
                next();
            }
            return chunk[at++] & 0xff;
        }

        int u32(int max) throws IOException {
            long v = ((long) read() << 24) | (read() << 16) | (read() << 8) | read();
            if (v > max) {
                throw new BackupException("BACKUP_DAMAGED", "the backup's contents are damaged (a length of " + v + ")");
            }
            return (int) v;
        }

        byte[] bytes(int n) throws IOException {
            ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(n, CHUNK));
            while (n > 0) {
                if (at == chunk.length) {
                    next();
                }
                int take = Math.min(n, chunk.length - at);
                out.write(chunk, at, take);
                at += take;
                n -= take;
            }
            return out.toByteArray();
        }

        /** After the trailer: it must have been the last chunk's end, and nothing may follow. */
        void end() throws IOException {
            if (!last || at != chunk.length || in.read() != -1) {
                throw new BackupException("BACKUP_DAMAGED", "the backup has data after its end");
            }
        }

        private void next() throws IOException {
            if (last) {
                throw new BackupException("BACKUP_DAMAGED", "the backup's contents end before their trailer");
            }
            int length;
            try {
                length = in.readInt();
            } catch (EOFException e) {
                throw new BackupException("BACKUP_TRUNCATED", "the backup is cut off after " + number + " chunks");
            }
            if (length < 16 || length > CHUNK + 16) {
                throw new BackupException("BACKUP_DAMAGED", "the backup's chunk " + number + " is damaged");
            }
            byte[] sealed = new byte[length];
            try {
                in.readFully(sealed);
            } catch (EOFException e) {
                throw new BackupException("BACKUP_TRUNCATED", "the backup is cut off in chunk " + number);
            }
            byte[] opened = open(key, nonce(prefix, number, false), aad, sealed);
            if (opened == null) {
                opened = open(key, nonce(prefix, number, true), aad, sealed);
                last = true;
            }
            if (opened == null) {
                throw number == 0 ? new BackupException("BACKUP_PASSPHRASE", "wrong passphrase (or the backup's first chunk is damaged)")
                        : new BackupException("BACKUP_DAMAGED", "the backup's chunk " + number + " is damaged or out of place");
            }
            Arrays.fill(chunk, (byte) 0);
            chunk = opened;
            at = 0;
            number++;
        }
    }

    private static byte[] readHeader(DataInputStream in) throws IOException {
        byte[] magic = new byte[MAGIC.length];
        try {
            in.readFully(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new BackupException("BACKUP_NOT_A_BACKUP", "not a Coffer backup");
            }
            int format = in.readUnsignedByte();
            if (format != FORMAT) {
                throw new BackupException("BACKUP_VERSION", "backup format " + format + " is not known to this version (it reads "
                        + FORMAT + ")");
            }
            int length = in.readInt();
            if (length < 0 || length > MAX_HEADER) {
                throw new BackupException("BACKUP_DAMAGED", "the backup's header is damaged");
            }
            byte[] h = new byte[length];
            in.readFully(h);
            return h;
        } catch (EOFException e) {
            throw new BackupException("BACKUP_TRUNCATED", "the backup is cut off in its header");
        }
    }

    private static Header parseHeader(byte[] h) {
        Map<String, String> f = fields(h);
        try {
            return new Header(Integer.parseInt(f.get("format")), Integer.parseInt(f.get("schema-version")), f.get("node-version"),
                    Instant.parse(f.get("created-at")));
        } catch (RuntimeException e) {
            throw new BackupException("BACKUP_DAMAGED", "the backup's header is damaged");
        }
    }

    private static Map<String, String> fields(byte[] text) {
        Map<String, String> out = new TreeMap<>();
        for (String line : new String(text, StandardCharsets.UTF_8).split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                out.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return out;
    }

    private static String clean(String v) {
        return v == null ? "unknown" : v.replaceAll("[^A-Za-z0-9._+-]", "_");
    }

    private static byte[] frame(byte[] k, byte[] v) {
        return ByteBuffer.allocate(8 + k.length + v.length).putInt(k.length).put(k).putInt(v.length).put(v).array();
    }

    private static final class TableSum {
        final MessageDigest digest = sha256Digest();
        long count;

        void add(byte[] framed) {
            digest.update(framed);
            count++;
        }
    }

    private static byte[] nonce(byte[] prefix, int chunk, boolean last) {
        return ByteBuffer.allocate(12).put(prefix).putInt(chunk).put((byte) (last ? 1 : 0)).array();
    }

    private static byte[] seal(byte[] key, byte[] nonce, byte[] aad, byte[] plain) {
        GCMBlockCipher gcm = PassphraseCrypto.gcm(true, key, nonce, aad);
        byte[] out = new byte[gcm.getOutputSize(plain.length)];
        try {
            int n = gcm.processBytes(plain, 0, plain.length, out, 0);
            gcm.doFinal(out, n);
        } catch (InvalidCipherTextException e) {
            throw new IllegalStateException("AES-GCM encryption failed", e);
        }
        return out;
    }

    /** The plaintext, or null when the tag does not match (wrong key, nonce or data). */
    private static byte[] open(byte[] key, byte[] nonce, byte[] aad, byte[] sealed) {
        GCMBlockCipher gcm = PassphraseCrypto.gcm(false, key, nonce, aad);
        byte[] out = new byte[gcm.getOutputSize(sealed.length)];
        try {
            int n = gcm.processBytes(sealed, 0, sealed.length, out, 0);
            gcm.doFinal(out, n);
            return out;
        } catch (InvalidCipherTextException e) {
            Arrays.fill(out, (byte) 0);
            return null;
        }
    }



    private static byte[] u32(int v) {
        return ByteBuffer.allocate(4).putInt(v).array();
    }

    private static byte[] sha256(byte[] b) {
        return sha256Digest().digest(b);
    }

    private static MessageDigest sha256Digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
