package io.coffer.chain.evm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.math.BigInteger;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.SignedRawTransaction;
import org.web3j.crypto.TransactionDecoder;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.utils.Numeric;

/** The sender check of a signed transaction: libsecp256k1's recovery gives what web3j's own recovery gives. */
class EvmTransactionFactoryTest {
    /**
     * Transactions signed by web3j with random keys, EIP-1559 and legacy EIP-155 (chain ids 1 and 31337): the sender recovered
     * is the signing key's address and web3j's {@code getFrom}; a signature whose recovery bit is flipped recovers another.
     */
    @Test
    void theSenderRecoveredIsTheSigningKeysAsWeb3jRecoversIt() throws Exception {
        SecureRandom random = new SecureRandom();
        for (int i = 0; i < 200; i++) {
            ECKeyPair keys = ECKeyPair.create(new BigInteger(1, random.generateSeed(32)).mod(BigInteger.TWO.pow(255)).add(BigInteger.ONE));
            Credentials who = Credentials.create(keys);
            long chainId = i % 2 == 0 ? 1 : 31337;
            String to = Numeric.toHexString(random.generateSeed(20));
            RawTransaction raw = i % 3 == 0
                    ? RawTransaction.createTransaction(BigInteger.valueOf(i), BigInteger.TEN.pow(9), BigInteger.valueOf(21_000), to, BigInteger.valueOf(i + 1), "")
                    : RawTransaction.createTransaction(chainId, BigInteger.valueOf(i), BigInteger.valueOf(21_000), to, BigInteger.valueOf(i + 1), "",
                            BigInteger.TEN.pow(9), BigInteger.TEN.pow(11));
            byte[] signed = i % 3 == 0 ? TransactionEncoder.signMessage(raw, chainId, who) : TransactionEncoder.signMessage(raw, who);
            String hex = Numeric.toHexString(signed);
            assertEquals(who.getAddress(), EvmTransactionFactory.senderOf(hex), "case " + i);
            assertEquals(((SignedRawTransaction) TransactionDecoder.decode(hex)).getFrom(), EvmTransactionFactory.senderOf(hex), "case " + i);
        }
    }

    @Test
    void aFlippedRecoveryBitRecoversAnotherSender() {
        Credentials who = Credentials.create(ECKeyPair.create(BigInteger.valueOf(123456789)));
        RawTransaction raw = RawTransaction.createTransaction(31337, BigInteger.ZERO, BigInteger.valueOf(21_000), "0x" + "11".repeat(20),
                BigInteger.ONE, "", BigInteger.TEN.pow(9), BigInteger.TEN.pow(11));
        byte[] signed = TransactionEncoder.signMessage(raw, who);
        SignedRawTransaction decoded = (SignedRawTransaction) TransactionDecoder.decode(Numeric.toHexString(signed));
        var sig = decoded.getSignatureData();
        byte v = sig.getV()[0];
        byte[] flippedV = {(byte) (v == 27 ? 28 : v == 28 ? 27 : v ^ 1)};
        byte[] tampered = TransactionEncoder.encode(raw, new org.web3j.crypto.Sign.SignatureData(flippedV, sig.getR(), sig.getS()));
        assertNotEquals(who.getAddress(), EvmTransactionFactory.senderOf(Numeric.toHexString(tampered)));
    }
}
