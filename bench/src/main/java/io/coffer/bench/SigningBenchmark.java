package io.coffer.bench;

import fr.acinq.secp256k1.Secp256k1CFunctions;
import fr.acinq.secp256k1.Secp256k1Context;
import fr.acinq.secp256k1.jni.NativeSecp256k1JvmLoader;
import io.coffer.chain.bitcoin.BitcoinAddresses;
import io.coffer.chain.bitcoin.BitcoinjNetworks;
import io.coffer.core.chain.AddressBook;
import io.coffer.core.config.BitcoinNetwork;
import io.coffer.core.custody.AccountScheme;
import io.coffer.core.custody.PublicKeyRing;
import io.coffer.core.custody.Signer;
import io.coffer.core.custody.TestKeys;
import io.coffer.core.custody.Vault;
import io.coffer.core.keys.DerivationPath;
import io.coffer.core.keys.Ecdsa;
import io.coffer.core.keys.ExtendedKey;
import io.coffer.core.keys.Hashes;
import io.coffer.core.keys.Secp256k1;
import io.coffer.core.store.LevelDbStore;
import io.coffer.core.store.Store;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;

/**
 * Signing and derivation on one thread, each as a ratio to bare libsecp256k1 (ACINQ's JNI binding called directly, no
 * Coffer code around it) in the same JVM, warmed alike, measured in alternating rounds; each figure the median of the rounds:
 * <ul>
 *   <li>a Bitcoin input's signature, {@code Ecdsa.sign(...).der()}, against libsecp256k1's sign + DER;</li>
 *   <li>an EVM signature with its recovery id, {@code Ecdsa.signRecoverable}, against the same;</li>
 *   <li>plain Bouncy Castle {@code ECDSASigner} (RFC 6979), the pure-Java reference, against the same;</li>
 *   <li>custody {@code Signer.sign} at m/84'/1'/0'/0/i (derive the child from the cached branch, sign) against libsecp256k1
 *       doing the same BIP-32 step (HMAC-SHA512, private tweak-add) and signing;</li>
 *   <li>xpub → child → P2WPKH address as the address book makes it, against HMAC-SHA512 + libsecp256k1's public tweak-add +
 *       the same address encoding.</li>
 * </ul>
 *
 * <pre>scripts/bench sign [rounds, default 15]</pre>
 */
public final class SigningBenchmark {
    private SigningBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        System.out.print(Figure.table(measure(args.length > 0 ? Integer.parseInt(args[0]) : 15)));
    }

    /** The figures of {@code rounds} alternating rounds (medians). */
    static java.util.List<Figure> measure(int rounds) throws Exception {
        NativeSecp256k1JvmLoader.load();
        long ctx = Secp256k1Context.getContext();
        System.out.println("engine in use: " + Secp256k1.engine());
        Random random = new Random(7);
        byte[][] keys = new byte[256][32];
        byte[][] hashes = new byte[256][32];
        for (int i = 0; i < keys.length; i++) {
            random.nextBytes(keys[i]);
            keys[i][0] &= 0x7f;
            random.nextBytes(hashes[i]);
        }
        Runnable raw = new Runnable() {
            int i;

            @Override
            public void run() {
                Secp256k1CFunctions.secp256k1_compact_to_der(ctx, Secp256k1CFunctions.secp256k1_ecdsa_sign(ctx, hashes[i & 255], keys[i++ & 255]));
            }
        };
        Runnable coffer = new Runnable() {
            int i;

            @Override
            public void run() {
                Ecdsa.sign(keys[i & 255], hashes[i++ & 255]).der();
            }
        };
        Runnable recoverable = new Runnable() {
            int i;

            @Override
            public void run() {
                Ecdsa.signRecoverable(keys[i & 255], hashes[i++ & 255]);
            }
        };
        Runnable bouncy = new Runnable() {
            int i;

            @Override
            public void run() {
                ECDSASigner s = new ECDSASigner(new HMacDSAKCalculator(new SHA256Digest()));
                s.init(true, new ECPrivateKeyParameters(new BigInteger(1, keys[i & 255]), Secp256k1.DOMAIN));
                s.generateSignature(hashes[i++ & 255]);
            }
        };
        Path dir = Files.createTempDirectory("coffer-bench-sign-");
        try (Store store = LevelDbStore.open(dir, io.coffer.core.CofferSchema.current())) {
            Vault vault = TestKeys.unsealed(store, dir);
            Signer signer = vault.signer();
            DerivationPath branch = AccountScheme.BIP84_TEST.accountPath(0).child(0);
            Runnable custody = new Runnable() {
                int i;

                @Override
                public void run() {
                    signer.sign(branch.child(i % 1000), hashes[i++ & 255]);
                }
            };
            // The baseline's branch key: the same m/84'/1'/0'/0 the signer caches, its private key, public key and chain code.
            byte[] branchPriv = keys[1];
            byte[] branchPub = Secp256k1.publicKey(branchPriv);
            byte[] chainCode = hashes[2];
            Runnable rawCustody = new Runnable() {
                int i;

                @Override
                public void run() {
                    byte[] il = Arrays.copyOf(Hashes.hmacSha512(chainCode, branchPub, ByteBuffer.allocate(4).putInt(i % 1000).array()), 32);
                    byte[] child = Secp256k1CFunctions.secp256k1_ec_privkey_tweak_add(ctx, branchPriv.clone(), il);
                    Secp256k1CFunctions.secp256k1_compact_to_der(ctx, Secp256k1CFunctions.secp256k1_ecdsa_sign(ctx, hashes[i++ & 255], child));
                }
            };
            PublicKeyRing ring = vault.publicKeys();
            AddressBook.Encoder encoder = BitcoinAddresses.p2wpkh(BitcoinjNetworks.of(BitcoinNetwork.REGTEST));
            Runnable address = new Runnable() {
                int i;

                @Override
                public void run() {
                    encoder.address(ring.derive(AccountScheme.BIP84_TEST, 0, 0, i++ & 0xFFFFF).publicKey());
                }
            };
            ExtendedKey xpubBranch = ring.account(AccountScheme.BIP84_TEST, 0).child(0);
            byte[] xpub = xpubBranch.publicKey();
            Runnable rawAddress = new Runnable() {
                int i;

                @Override
                public void run() {
                    byte[] il = Arrays.copyOf(Hashes.hmacSha512(chainCode, xpub, ByteBuffer.allocate(4).putInt(i++ & 0xFFFFF).array()), 32);
                    byte[] full = Secp256k1CFunctions.secp256k1_ec_pubkey_tweak_add(ctx, xpub, il);
                    byte[] compressed = new byte[33];
                    compressed[0] = (byte) ((full[64] & 1) == 0 ? 2 : 3);
                    System.arraycopy(full, 1, compressed, 1, 32);
                    encoder.address(compressed);
                }
            };
            Runnable[] all = {raw, coffer, recoverable, bouncy, rawCustody, custody, rawAddress, address};
            int perRound = 2_000;
            for (int w = 0; w < 5; w++) { // warm all alike
                for (Runnable r : all) {
                    time(r, perRound);
                }
            }
            double[][] rates = new double[all.length][rounds];
            for (int r = 0; r < rounds; r++) {
                for (int k = 0; k < all.length; k++) {
                    rates[k][r] = perRound / (time(all[k], perRound) / 1e9);
                }
            }
            double[] median = new double[all.length];
            for (int k = 0; k < all.length; k++) {
                Arrays.sort(rates[k]);
                median[k] = rates[k][rounds / 2];
            }
            String bare = "bare libsecp256k1 (JNI) sign + DER";
            return java.util.List.of(
                    Figure.rate("sign", "Bitcoin input signature, Ecdsa.sign().der()", median[1], "sig/s", bare, median[0], ">= 0.8"),
                    Figure.rate("sign", "EVM signature with recovery id, Ecdsa.signRecoverable", median[2], "sig/s", bare, median[0], "-"),
                    Figure.rate("sign", "plain Bouncy Castle ECDSASigner (reference)", median[3], "sig/s", bare, median[0], "-"),
                    Figure.rate("sign", "custody Signer.sign at m/84'/1'/0'/0/i", median[5], "sig/s", "libsecp256k1 BIP-32 step + sign", median[4],
                            ">= 0.5"),
                    Figure.rate("sign", "xpub -> child -> P2WPKH address", median[7], "addr/s", "HMAC-SHA512 + libsecp256k1 tweak-add + encoding",
                            median[6], ">= 0.8 (and >= 26k/s)"));
        } finally {
            BenchFiles.deleteTree(dir);
        }
    }

    private static long time(Runnable r, int n) {
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            r.run();
        }
        return System.nanoTime() - start;
    }
}
