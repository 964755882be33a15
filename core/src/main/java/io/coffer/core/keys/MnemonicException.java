package io.coffer.core.keys;

import io.coffer.core.error.CofferException;
import io.coffer.core.error.ErrorKind;
import java.util.Map;

/**
 * A mnemonic (BIP-39) or share (SLIP-39) is not valid, or a set of shares does not combine. The code
 * says which rule failed; the message never repeats the words.
 */
public final class MnemonicException extends CofferException {
    public MnemonicException(String code, String message) {
        super(ErrorKind.INVALID_ARGUMENT, code, null, message, Map.of(), null);
    }
}
