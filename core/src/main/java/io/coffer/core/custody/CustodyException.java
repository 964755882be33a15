package io.coffer.core.custody;

import io.coffer.core.error.CofferException;
import io.coffer.core.error.ErrorKind;
import java.util.Map;

/** A custody operation is not possible in the current state; the code says why. */
public final class CustodyException extends CofferException {
    public CustodyException(ErrorKind kind, String code, String message) {
        super(kind, code, null, message, Map.of(), null);
    }

    static CustodyException state(String code, String message) {
        return new CustodyException(ErrorKind.FAILED_PRECONDITION, code, message);
    }
}
