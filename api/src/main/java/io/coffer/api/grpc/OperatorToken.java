package io.coffer.api.grpc;

import io.coffer.core.keys.Hashes;
import io.coffer.core.keys.Secrets;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.coffer.core.error.CofferException;
import io.coffer.core.error.ErrorKind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The break-glass credential of the node's own machine: a fresh random token written at every node start to
 * {@code operator.token} in the data dir, readable only by the node's user; the admin CLI on the same machine reads it. The
 * node keeps only its SHA-256. Callers send it as {@code authorization: Bearer <token>}; {@link AdminAuth} accepts it for every
 * Admin RPC and audits each such call. Named operators sign their calls instead.
 */
public final class OperatorToken {
    public static final String FILE = "operator.token";
    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    /** The authenticated actor, for the audit log. */
    public static final Context.Key<String> ACTOR = Context.key("coffer-actor");

    private final byte[] hash;

    private OperatorToken(byte[] hash) {
        this.hash = hash;
    }

    /** Creates a new token and writes it (mode 0600, atomically) into {@code dataDir}. */
    public static OperatorToken create(Path dataDir, SecureRandom random) {
        byte[] raw = new byte[32];
        random.nextBytes(raw);
        String token = HexFormat.of().formatHex(raw);
        Secrets.wipe(raw);
        Path file = dataDir.resolve(FILE);
        Path tmp = dataDir.resolve(FILE + ".tmp");
        try {
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap((token + "\n").getBytes(StandardCharsets.US_ASCII)));
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        return new OperatorToken(Hashes.sha256(token.getBytes(StandardCharsets.US_ASCII)));
    }

    boolean matches(String presented) {
        return presented != null && Secrets.equal(hash, Hashes.sha256(presented.getBytes(StandardCharsets.US_ASCII)));
    }
}
