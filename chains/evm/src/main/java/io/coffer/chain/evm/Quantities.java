package io.coffer.chain.evm;

import java.math.BigInteger;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.utils.Numeric;

/**
 * JSON-RPC quantities ({@code 0x} then hex digits) read from the raw text of web3j's answers. web3j's own getters
 * ({@code getValue()}, {@code getNonce()}, {@code isStatusOK()}, ...) first try {@code Long.parseLong} on the text and catch the
 * NumberFormatException that every hex quantity throws, with a stack trace filled each time: the follower read several for
 * each transaction of every block (9,594 exceptions in one profiled {@code scripts/bench transfers} run's node, all of them
 * these). Anything but plain hex is left to web3j, so every answer reads as it did, errors included.
 */
final class Quantities {
    private Quantities() {
    }

    /** The quantity {@code raw} stands for, as {@link Numeric#decodeQuantity} reads it. */
    static BigInteger of(String raw) {
        if (raw != null && raw.length() > 2 && raw.startsWith("0x") && hexDigits(raw)) {
            return new BigInteger(raw.substring(2), 16);
        }
        return Numeric.decodeQuantity(raw);
    }

    /** As {@link TransactionReceipt#isStatusOK()}: no status (before Byzantium) counts as success, else status 1. */
    static boolean statusOk(TransactionReceipt receipt) {
        return receipt.getStatus() == null || BigInteger.ONE.equals(of(receipt.getStatus()));
    }

    private static boolean hexDigits(String raw) {
        for (int i = 2; i < raw.length(); i++) {
            if (Character.digit(raw.charAt(i), 16) < 0) {
                return false;
            }
        }
        return true;
    }
}
