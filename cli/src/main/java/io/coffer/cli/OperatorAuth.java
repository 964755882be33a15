package io.coffer.cli;

import io.grpc.ClientInterceptor;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the operator token comes from: {@code --token-file}, or {@code operator.token} in {@code --data-dir}. */
final class OperatorAuth {
    @Option(names = "--data-dir", defaultValue = "${env:COFFER_NODE_DATA_DIR}",
            description = "The node's data dir, to read its operator.token (env COFFER_NODE_DATA_DIR).")
    Path dataDir;

    @Option(names = "--token-file", description = "The operator token file (default: operator.token in --data-dir).")
    Path tokenFile;

    ClientInterceptor interceptor() {
        Path file = tokenFile != null ? tokenFile : dataDir != null ? dataDir.resolve("operator.token") : null;
        if (file == null) {
            throw new IllegalArgumentException("give --data-dir (or --token-file) so the operator token can be read");
        }
        String token;
        try {
            token = Files.readString(file).strip();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the operator token " + file + " (is the node running, and are you its user?)");
        }
        Metadata m = new Metadata();
        m.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        return MetadataUtils.newAttachHeadersInterceptor(m);
    }
}
