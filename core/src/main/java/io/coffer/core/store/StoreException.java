package io.coffer.core.store;

import io.coffer.core.error.CofferException;
import io.coffer.core.error.ErrorKind;
import java.util.Map;

/**
 * The store failed: an I/O error, corrupt data, or a data directory this build cannot use. Subclasses
 * say which; the message names the data directory where that helps the operator.
 */
public class StoreException extends CofferException {
    public StoreException(String message) {
        this("STORE_ERROR", message, null);
    }

    public StoreException(String message, Throwable cause) {
        this("STORE_ERROR", message, cause);
    }

    protected StoreException(String code, String message, Throwable cause) {
        super(ErrorKind.INTERNAL, code, null, message, Map.of(), cause);
    }

    /** Another process (or another store in this process) holds the data directory. */
    public static final class Locked extends StoreException {
        public Locked(String message) {
            super("STORE_LOCKED", message, null);
        }
    }

    /** The data directory's schema version is not one this build can open. */
    public static final class SchemaMismatch extends StoreException {
        private final int found;
        private final int supported;

        public SchemaMismatch(String code, int found, int supported, String message) {
            super(code, message, null);
            this.found = found;
            this.supported = supported;
        }

        public int found() {
            return found;
        }

        public int supported() {
            return supported;
        }
    }
}
