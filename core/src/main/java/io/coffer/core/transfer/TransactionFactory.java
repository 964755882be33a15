package io.coffer.core.transfer;

import io.coffer.core.chain.DepositId;
import io.coffer.core.custody.Signer;
import io.coffer.core.keys.DerivationPath;
import java.math.BigInteger;
import java.util.List;

/** The chain-specific half of a withdrawal: address checks, transaction building and signing. */
public interface TransactionFactory {
    /**
     * Checks a destination and returns the size of its output in vbytes.
     *
     * @throws io.coffer.core.error.CofferException INVALID_ARGUMENT naming {@code destination}
     */
    int destinationVbytes(String destination);

    /** An input to spend: the coin, its amount and where its key is. */
    record Input(DepositId id, BigInteger amount, DerivationPath path) {
    }

    /** A signed transaction. */
    record Built(String txid, byte[] raw, int vsize) {
    }

    /**
     * Builds and signs a transaction spending {@code inputs} to {@code destination}, with change to
     * {@code changeAddress} (null: no change). RBF is signalled on every input.
     */
    Built build(List<Input> inputs, String destination, BigInteger amount, String changeAddress, BigInteger change, Signer signer);
}
