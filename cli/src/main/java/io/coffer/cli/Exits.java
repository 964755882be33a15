package io.coffer.cli;

import io.coffer.core.error.CofferException;
import io.coffer.core.error.ErrorKind;
import io.coffer.core.keys.MnemonicException;
import io.coffer.core.store.StoreException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import picocli.CommandLine;

/**
 * Exit codes of the {@code coffer} CLI, one per kind of failure, so scripts can react:
 * <pre>
 * 0  success
 * 1  the node answered with an error, or the node is not serving
 * 2  usage error (bad option or argument)
 * 3  data dir unusable (locked by a running node, newer schema, cannot be created)
 * 4  node unreachable
 * 5  shares or mnemonic invalid, or they recover another wallet (verify)
 * 6  the wallet's state forbids it (already initialized, not sealed, watch-only...)
 * 7  not authenticated (operator token missing or wrong)
 * </pre>
 */
final class Exits {
    static final int OK = 0;
    static final int ERROR = 1;
    static final int USAGE = 2;
    static final int DATA_DIR = 3;
    static final int UNREACHABLE = 4;
    static final int INVALID_SECRET = 5;
    static final int STATE = 6;
    static final int UNAUTHENTICATED = 7;

    private Exits() {
    }

    /** Prints a one-line reason (never a stack trace, never a secret) and returns the exit code. */
    static int handle(Exception e, CommandLine cmd) {
        int code;
        String message = e.getMessage();
        if (e instanceof CommandLine.ParameterException) {
            code = USAGE;
        } else if (e instanceof StoreException) {
            code = DATA_DIR;
        } else if (e instanceof MnemonicException) {
            code = INVALID_SECRET;
        } else if (e instanceof io.coffer.core.backup.BackupFile.BackupException b) {
            code = b.code().equals("BACKUP_PASSPHRASE") ? INVALID_SECRET : ERROR;
        } else if (e instanceof CofferException c) {
            code = c.kind() == ErrorKind.INVALID_ARGUMENT ? INVALID_SECRET : c.kind() == ErrorKind.FAILED_PRECONDITION ? STATE : ERROR;
        } else if (e instanceof StatusRuntimeException s) {
            Status.Code sc = s.getStatus().getCode();
            code = switch (sc) {
                case UNAVAILABLE, DEADLINE_EXCEEDED -> UNREACHABLE;
                case UNAUTHENTICATED -> UNAUTHENTICATED;
                case INVALID_ARGUMENT -> INVALID_SECRET;
                case FAILED_PRECONDITION -> STATE;
                default -> ERROR;
            };
            message = sc + (s.getStatus().getDescription() == null ? "" : ": " + s.getStatus().getDescription());
        } else if (e instanceof IllegalArgumentException) {
            code = USAGE;
        } else {
            code = ERROR;
            message = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        }
        cmd.getErr().println("coffer: " + message);
        cmd.getErr().flush();
        return code;
    }
}
