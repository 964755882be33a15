package io.coffer.bench;

import io.coffer.core.keys.Ecdsa;
import io.coffer.core.keys.Secp256k1;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;

/**
 * Signatures per second on one thread: Coffer's {@code Ecdsa.sign} (RFC 6979, low-S, with the recovery id every EVM signature
 * needs) as a ratio to plain Bouncy Castle {@code ECDSASigner} with the same RFC 6979 nonces (no low-S, no recovery id), in the
 * same JVM, warmed alike, measured in alternating rounds; each figure is the median of the rounds. Also the custody
 * {@code Signer.sign} of a BIP-84 input (the key derived from the unsealed root, then the signature), against the same baseline.
 *
 * <pre>scripts/bench sign [rounds, default 15]</pre>
 */
public final class SigningBenchmark {
    private SigningBenchmark() {
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        Random random = new Random(7);
        byte[][] keys = new byte[256][32];
        byte[][] hashes = new byte[256][32];
        for (int i = 0; i < keys.length; i++) {
            random.nextBytes(keys[i]);
            keys[i][0] &= 0x7f;
            random.nextBytes(hashes[i]);
        }
        Runnable coffer = new Runnable() {
            int i;

            @Override
            public void run() {
                Ecdsa.sign(keys[i & 255], hashes[i++ & 255]);
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
        java.nio.file.Path dir;
        try {
            dir = java.nio.file.Files.createTempDirectory("coffer-bench-sign-");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        try (io.coffer.core.store.Store store = io.coffer.core.store.LevelDbStore.open(dir, io.coffer.core.CofferSchema.current())) {
            io.coffer.core.custody.Vault vault = io.coffer.core.custody.TestKeys.unsealed(store, dir);
            io.coffer.core.custody.Signer signer = vault.signer();
            io.coffer.core.keys.DerivationPath branch = io.coffer.core.custody.AccountScheme.BIP84_TEST.accountPath(0).child(0);
            Runnable custody = new Runnable() {
                int i;

                @Override
                public void run() {
                    signer.sign(branch.child(i % 1000), hashes[i++ & 255]);
                }
            };
            int perRound = 2_000;
            for (int w = 0; w < 5; w++) { // warm all alike
                time(coffer, perRound);
                time(bouncy, perRound);
                time(custody, perRound);
            }
            double[] c = new double[rounds];
            double[] b = new double[rounds];
            double[] k = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                c[r] = perRound / (time(coffer, perRound) / 1e9);
                b[r] = perRound / (time(bouncy, perRound) / 1e9);
                k[r] = perRound / (time(custody, perRound) / 1e9);
            }
            Arrays.sort(c);
            Arrays.sort(b);
            Arrays.sort(k);
            double cm = c[rounds / 2];
            double bm = b[rounds / 2];
            double km = k[rounds / 2];
            System.out.printf(Locale.ROOT, "signing, one thread, %d rounds of %d (median): Coffer Ecdsa.sign %.0f/s, plain Bouncy Castle %.0f/s,"
                    + " ratio %.2f%n", rounds, perRound, cm, bm, cm / bm);
            System.out.printf(Locale.ROOT, "custody Signer.sign at m/84'/1'/0'/0/i (derive + sign) %.0f/s, ratio %.2f to plain Bouncy Castle"
                    + " signing alone%n", km, km / bm);
            // Watch-only derivation: an account xpub's receive branch -> child i -> P2WPKH address, as the address book does it.
            io.coffer.core.custody.PublicKeyRing ring = vault.publicKeys();
            var encoder = io.coffer.chain.bitcoin.BitcoinAddresses.p2wpkh(io.coffer.chain.bitcoin.BitcoinjNetworks.of(
                    io.coffer.core.config.BitcoinNetwork.REGTEST));
            Runnable address = new Runnable() {
                int i;

                @Override
                public void run() {
                    encoder.address(ring.derive(io.coffer.core.custody.AccountScheme.BIP84_TEST, 0, 0, i++ & 0xFFFFF).publicKey());
                }
            };
            for (int w = 0; w < 5; w++) {
                time(address, perRound);
            }
            double[] a = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                a[r] = perRound / (time(address, perRound) / 1e9);
            }
            Arrays.sort(a);
            System.out.printf(Locale.ROOT, "xpub -> child -> P2WPKH address %.0f/s%n", a[rounds / 2]);
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
