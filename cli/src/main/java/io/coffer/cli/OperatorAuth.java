package io.coffer.cli;

import io.coffer.core.operator.OperatorKeyFile;
import io.coffer.core.operator.OperatorService;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import picocli.CommandLine.Option;

/**
 * How an admin command authenticates: as a named operator ({@code --operator NAME --operator-key FILE}: each call signed with
 * the operator's key, opened with its passphrase; {@code --totp CODE} where the call needs the second factor), or with the
 * node's break-glass token ({@code --token-file}, or {@code operator.token} in {@code --data-dir}; the node's own machine only).
 */
final class OperatorAuth {
    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> TOTP = Metadata.Key.of("x-coffer-totp", Metadata.ASCII_STRING_MARSHALLER);

    @Option(names = "--data-dir", defaultValue = "${env:COFFER_NODE_DATA_DIR}",
            description = "The node's data dir, to read its operator.token (env COFFER_NODE_DATA_DIR).")
    Path dataDir;

    @Option(names = "--token-file", description = "The operator token file (default: operator.token in --data-dir).")
    Path tokenFile;

    @Option(names = "--operator", defaultValue = "${env:COFFER_OPERATOR}",
            description = "Act as this named operator (env COFFER_OPERATOR), signing with --operator-key.")
    String operator;

    @Option(names = "--operator-key", defaultValue = "${env:COFFER_OPERATOR_KEY}",
            description = "The operator's key file from 'coffer operator keygen' (env COFFER_OPERATOR_KEY).")
    Path operatorKey;

    @Option(names = "--operator-passphrase-file", description = "File whose first line opens the operator key; default: asked.")
    Path operatorPassphraseFile;

    @Option(names = "--totp", description = "A current code of the operator's authenticator app (calls that need a second factor).")
    String totp;

    ClientInterceptor interceptor() {
        if (operator != null && !operator.isBlank()) {
            return signing();
        }
        Path file = tokenFile != null ? tokenFile : dataDir != null ? dataDir.resolve("operator.token") : null;
        if (file == null) {
            throw new IllegalArgumentException("give --operator and --operator-key, or --data-dir (or --token-file) for the break-glass token");
        }
        String token;
        try {
            token = Files.readString(file).strip();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the operator token " + file + " (is the node running, and are you its user?)");
        }
        Metadata m = new Metadata();
        m.put(AUTHORIZATION, "Bearer " + token);
        if (totp != null) {
            m.put(TOTP, totp);
        }
        return MetadataUtils.newAttachHeadersInterceptor(m);
    }

    /** Signs every call with the operator's key: its own time, a fresh nonce, the method it calls. */
    private ClientInterceptor signing() {
        if (operatorKey == null) {
            throw new IllegalArgumentException("--operator needs --operator-key (the file 'coffer operator keygen' wrote)");
        }
        char[] pass = operatorPassphraseFile != null ? passphraseFile(operatorPassphraseFile)
                : Terminal.readHidden("Passphrase of " + operatorKey + ": ");
        Ed25519PrivateKeyParameters key;
        try {
            key = OperatorKeyFile.open(operatorKey, pass);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + operatorKey + ": " + e.getClass().getSimpleName());
        } finally {
            java.util.Arrays.fill(pass, '\0');
        }
        SecureRandom random = new SecureRandom();
        String name = operator;
        String code = totp;
        return new ClientInterceptor() {
            @Override
            public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
                return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                    @Override
                    public void start(Listener<R> listener, Metadata headers) {
                        byte[] n = new byte[16];
                        random.nextBytes(n);
                        String nonce = HexFormat.of().formatHex(n);
                        long ts = System.currentTimeMillis();
                        headers.put(AUTHORIZATION, OperatorService.authorization(name, ts, nonce,
                                OperatorKeyFile.sign(key, name, ts, nonce, method.getFullMethodName())));
                        if (code != null) {
                            headers.put(TOTP, code);
                        }
                        super.start(listener, headers);
                    }
                };
            }
        };
    }

    /** A passphrase file's first line (as backups' passphrase files are read). */
    static char[] passphraseFile(Path file) {
        try {
            return io.coffer.core.backup.BackupFile.passphraseFile(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getClass().getSimpleName());
        }
    }
}
