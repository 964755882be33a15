package io.coffer.chain.bitcoin;

import io.coffer.core.custody.Signer;
import io.coffer.core.keys.Hashes;
import io.coffer.core.transfer.TransactionFactory;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import org.bitcoinj.base.Address;
import org.bitcoinj.base.Coin;
import org.bitcoinj.base.Network;
import org.bitcoinj.base.ScriptType;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionInput;
import org.bitcoinj.core.TransactionOutPoint;
import org.bitcoinj.core.TransactionWitness;
import org.bitcoinj.script.ScriptBuilder;

/**
 * Builds version-2 transactions spending P2WPKH coins, with RBF signalled on every input (sequence
 * 0xfffffffd) so a stuck withdrawal can be bumped, and signs them through the custody {@link Signer}
 * (BIP-143 sighash computed by bitcoinj, the signature itself by core's RFC 6979 signer). bitcoinj never
 * sees a private key.
 */
public final class BitcoinTransactionFactory implements TransactionFactory {
    private static final long RBF_SEQUENCE = 0xFFFFFFFDL;
    private final Network network;

    public BitcoinTransactionFactory(Network network) {
        this.network = network;
    }

    @Override
    public int destinationVbytes(String destination) {
        Address a = BitcoinAddresses.parse("destination", destination, network);
        ScriptType t = a.getOutputScriptType();
        return switch (t) {
            case P2WPKH -> 31;
            case P2WSH, P2TR -> 43;
            case P2PKH -> 34;
            case P2SH -> 32;
            default -> throw io.coffer.core.error.CofferException.invalid("destination", "ADDRESS_UNSUPPORTED",
                    "unsupported address type " + t);
        };
    }

    @Override
    public Built build(List<Input> inputs, String destination, BigInteger amount, String changeAddress, BigInteger change, Signer signer) {
        Transaction tx = new Transaction();
        tx.setVersion(2);
        for (Input in : inputs) {
            tx.addInput(new TransactionInput(tx, new byte[0], new TransactionOutPoint(in.id().index(), Sha256Hash.wrap(in.id().txid())),
                    RBF_SEQUENCE, Coin.valueOf(in.amount().longValueExact()), null));
        }
        tx.addOutput(Coin.valueOf(amount.longValueExact()), BitcoinAddresses.parse("destination", destination, network));
        if (changeAddress != null) {
            tx.addOutput(Coin.valueOf(change.longValueExact()), BitcoinAddresses.parse("change", changeAddress, network));
        }
        for (int i = 0; i < inputs.size(); i++) {
            Input in = inputs.get(i);
            byte[] pub = signer.publicKey(in.path());
            byte[] scriptCode = ScriptBuilder.createP2PKHOutputScript(Hashes.hash160(pub)).program();
            Sha256Hash sighash = tx.hashForWitnessSignature(i, scriptCode, Coin.valueOf(in.amount().longValueExact()),
                    Transaction.SigHash.ALL, false);
            byte[] der = signer.sign(in.path(), sighash.getBytes()).der();
            byte[] sig = Arrays.copyOf(der, der.length + 1);
            sig[der.length] = 0x01; // SIGHASH_ALL
            tx.replaceInput(i, tx.getInput(i).withWitness(TransactionWitness.of(sig, pub)));
        }
        return new Built(tx.getTxId().toString(), tx.serialize(), tx.getVsize());
    }

}
