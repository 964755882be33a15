package io.coffer.core.keys;

import static io.coffer.core.keys.Vectors.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class HdKeysTest {

    @Test
    void wordListsAreTheOfficialOnes() throws Exception {
        assertEquals("2f5eed53a4727b4bf8880d8f3f199efc90e58503646d9ff8eff3a2ed3b24dbda", sha256("bip39-english.txt"));
        assertEquals("bcc4555340332d169718aed8bf31dd9d5248cb7da6e5d355140ef4f1e601eec3", sha256("slip39-wordlist.txt"));
    }

    private static String sha256(String resource) throws Exception {
        try (InputStream in = Bip39.class.getResourceAsStream(resource)) {
            return hex(Hashes.sha256(in.readAllBytes()));
        }
    }

    /** Trezor's BIP-39 vectors (github.com/trezor/python-mnemonic vectors.json, English, passphrase "TREZOR"). */
    @Test
    void bip39TrezorVectors() {
        JsonNode english = Vectors.load("bip39-trezor-vectors.json").get("english");
        assertEquals(24, english.size());
        for (JsonNode v : english) {
            byte[] entropy = hex(v.get(0).asText());
            String mnemonic = v.get(1).asText();
            assertEquals(mnemonic, new String(Bip39.fromEntropy(entropy)));
            assertArrayEquals(entropy, Bip39.toEntropy(mnemonic.toCharArray()));
            byte[] seed = Bip39.toSeed(mnemonic.toCharArray(), "TREZOR".toCharArray());
            assertEquals(v.get(2).asText(), hex(seed));
            assertEquals(v.get(3).asText(), ExtendedKey.fromSeed(seed).serialize(KeyVersion.XPRV));
        }
    }

    @Test
    void bip39RefusesBadMnemonicsNamingTheRule() {
        String about = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";
        assertEquals("MNEMONIC_CHECKSUM", assertThrows(MnemonicException.class,
                () -> Bip39.toEntropy(about.replace("about", "abandon").toCharArray())).code());
        MnemonicException unknown = assertThrows(MnemonicException.class,
                () -> Bip39.toEntropy(about.replace("about", "aboot").toCharArray()));
        assertEquals("MNEMONIC_UNKNOWN_WORD", unknown.code());
        assertTrue(unknown.getMessage().contains("word 12"));
        assertFalse(unknown.getMessage().contains("aboot"), "the words are never echoed");
        assertEquals("MNEMONIC_LENGTH", assertThrows(MnemonicException.class,
                () -> Bip39.toEntropy("abandon abandon about".toCharArray())).code());
        // Extra whitespace and capitals are what people type; they are accepted.
        assertEquals(16, Bip39.toEntropy(("  " + about.toUpperCase() + "\n").toCharArray()).length);
    }

    @Test
    void generatedMnemonicsHave24ValidWordsAndDiffer() {
        SecureRandom r = new SecureRandom();
        char[] a = Bip39.generate(r);
        char[] b = Bip39.generate(r);
        assertEquals(24, Bip39.split(a).size());
        assertEquals(32, Bip39.toEntropy(a).length);
        assertFalse(new String(a).equals(new String(b)));
    }

    /** BIP-32 test vectors 1-3 (github.com/bitcoin/bips bip-0032.mediawiki "Test Vectors"). */
    @Test
    void bip32Vectors() {
        for (JsonNode v : Vectors.load("bip32-vectors.json").get("vectors")) {
            ExtendedKey master = ExtendedKey.fromSeed(hex(v.get("seed").asText()));
            ExtendedKey previous = null;
            String previousPath = null;
            for (JsonNode chain : v.get("chains")) {
                DerivationPath path = DerivationPath.parse(chain.get(0).asText());
                ExtendedKey k = master.derive(path);
                assertEquals(chain.get(2).asText(), k.serialize(KeyVersion.XPRV), path.toString());
                assertEquals(chain.get(1).asText(), k.neuter().serialize(KeyVersion.XPUB), path.toString());
                // Round trip through parsing.
                ExtendedKey.Parsed parsed = ExtendedKey.parse(chain.get(1).asText());
                assertEquals(KeyVersion.XPUB, parsed.version());
                assertEquals(chain.get(1).asText(), parsed.key().serialize(KeyVersion.XPUB));
                assertEquals(chain.get(2).asText(), ExtendedKey.parse(chain.get(2).asText()).key().serialize(KeyVersion.XPRV));
                // A non-hardened step derives the same public key from the parent's xpub alone.
                int last = path.steps().isEmpty() ? 0 : path.steps().get(path.steps().size() - 1);
                if (previous != null && !DerivationPath.isHardened(last)) {
                    assertEquals(chain.get(1).asText(), previous.neuter().child(last).serialize(KeyVersion.XPUB),
                            "public derivation " + previousPath + " -> " + path);
                }
                previous = k;
                previousPath = path.toString();
            }
        }
    }

    /** BIP-84 test vectors (github.com/bitcoin/bips bip-0084.mediawiki "Test vectors"). */
    @Test
    void bip84Vectors() {
        char[] mnemonic = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about".toCharArray();
        ExtendedKey root = ExtendedKey.fromSeed(Bip39.toSeed(mnemonic, new char[0]));
        assertEquals("zprvAWgYBBk7JR8Gjrh4UJQ2uJdG1r3WNRRfURiABBE3RvMXYSrRJL62XuezvGdPvG6GFBZduosCc1YP5wixPox7zhZLfiUm8aunE96BBa4Kei5",
                root.serialize(KeyVersion.ZPRV));
        ExtendedKey account = root.derive(DerivationPath.parse("m/84'/0'/0'"));
        assertEquals("zprvAdG4iTXWBoARxkkzNpNh8r6Qag3irQB8PzEMkAFeTRXxHpbF9z4QgEvBRmfvqWvGp42t42nvgGpNgYSJA9iefm1yYNZKEm7z6qUWCroSQnE",
                account.serialize(KeyVersion.ZPRV));
        ExtendedKey accountPub = account.neuter();
        assertEquals("0330d54fd0dd420a6e5f8d3624f5f3482cae350f79d5f0753bf5beef9c2d91af3c", hex(accountPub.child(0).child(0).publicKey()));
        assertEquals("03e775fd51f0dfb8cd865d9ff1cca2a158cf651fe997fdc9fee9c1d3b5e995ea77", hex(accountPub.child(0).child(1).publicKey()));
        assertEquals("03025324888e429ab8e3dbaf1f7802648b9cd01e9b418485c5fa4c1b9b5700e1a6", hex(accountPub.child(1).child(0).publicKey()));
        // The private key of m/84'/0'/0'/0/0 is the published WIF KyZpNDKnfs94vbrwhJneDi77V6jF64PWPF8x5cdJb8ifgg2DUc9d.
        byte[] wif = Base58.decodeCheck("KyZpNDKnfs94vbrwhJneDi77V6jF64PWPF8x5cdJb8ifgg2DUc9d");
        assertArrayEquals(java.util.Arrays.copyOfRange(wif, 1, 33), account.child(0).child(0).privateKey());
    }

    @Test
    void hardenedChildrenNeedThePrivateKeyAndParsingNamesTheProblem() {
        ExtendedKey pub = ExtendedKey.fromSeed(hex("000102030405060708090a0b0c0d0e0f")).neuter();
        assertThrows(IllegalArgumentException.class, () -> pub.child(DerivationPath.hardened(0)));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> ExtendedKey.parse("xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet9"));
        assertTrue(bad.getMessage().contains("checksum"), bad.getMessage());
        assertFalse(bad.getMessage().contains("xpub661"), "the key is not echoed");
        assertEquals("m/84'/1'/0'/0/7", DerivationPath.parse("m/84h/1'/0'/0/7").toString());
        assertThrows(IllegalArgumentException.class, () -> DerivationPath.parse("84'/0'"));
        assertThrows(IllegalArgumentException.class, () -> DerivationPath.parse("m/2147483648"));
    }

    @Test
    void toStringNeverShowsKeyMaterial() {
        ExtendedKey k = ExtendedKey.fromSeed(hex("000102030405060708090a0b0c0d0e0f"));
        String s = k.toString();
        assertFalse(s.contains("xprv") || s.contains(hex(k.privateKey())), s);
    }

    /**
     * RFC 6979 deterministic ECDSA on secp256k1: the community vectors published at
     * bitcointalk.org/index.php?topic=285142.msg3150733 (message hashed once with SHA-256; s low-normalized).
     */
    @Test
    void rfc6979Secp256k1Vectors() {
        String[][] vectors = {
            {"1", "Satoshi Nakamoto",
                "934b1ea10a4b3c1757e2b0c017d0b6143ce3c9a7e6a4a49860d7a6ab210ee3d8", "2442ce9d2b916064108014783e923ec36b49743e2ffa1c4496f01a512aafd9e5"},
            {"1", "All those moments will be lost in time, like tears in rain. Time to die...",
                "8600dbd41e348fe5c9465ab92d23e3db8b98b873beecd930736488696438cb6b", "547fe64427496db33bf66019dacbf0039c04199abb0122918601db38a72cfc21"},
            {"fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140", "Satoshi Nakamoto",
                "fd567d121db66e382991534ada77a6bd3106f0a1098c231e47993447cd6af2d0", "6b39cd0eb1bc8603e159ef5c20a5c8ad685a45b06ce9bebed3f153d10d93bed5"},
            {"f8b8af8ce3c7cca5e300d33939540c10d45ce001b8f252bfbc57ba0342904181", "Alan Turing",
                "7063ae83e7f62bbb171798131b4a0564b956930092b33b07b395615d9ec7e15c", "58dfcc1e00a35e1572f366ffe34ba0fc47db1e7189759b9fb233c5b05ab388ea"},
            {"e91671c46231f833a6406ccbea0e3e392c76c167bac1cb013f6f1013980455c2",
                "There is a computer disease that anybody who works with computers knows about. It's a very serious disease and it"
                    + " interferes completely with the work. The trouble with computers is that you 'play' with them!",
                "b552edd27580141f3b2a5463048cb7cd3e047b97c9f98076c32dbdf85a68718b", "279fa72dd19bfae05577e06c7c0c1900c371fcd5893f7e1d56a37d30174671f6"},
        };
        for (String[] v : vectors) {
            byte[] priv = Secp256k1.bytes32(new BigInteger(v[0], 16));
            byte[] hash = Hashes.sha256(v[1].getBytes(StandardCharsets.US_ASCII));
            Ecdsa.Recoverable sig = Ecdsa.signRecoverable(priv, hash);
            assertEquals(sig.signature(), Ecdsa.sign(priv, hash), "the same r and s with and without the recovery id");
            assertEquals(v[2], String.format("%064x", sig.r()), v[1]);
            assertEquals(v[3], String.format("%064x", sig.s()), v[1]);
            byte[] pub = Secp256k1.publicKey(priv);
            assertTrue(Ecdsa.verify(pub, hash, sig.r(), sig.s()));
            assertEquals(Secp256k1.decode(pub), Ecdsa.recover(hash, sig.r(), sig.s(), sig.recoveryId()));
            assertEquals(sig, Ecdsa.signRecoverable(priv, hash), "deterministic");
            assertFalse(Ecdsa.verify(pub, Hashes.sha256(hash), sig.r(), sig.s()));
        }
        assertNotEquals(Ecdsa.sign(Secp256k1.bytes32(BigInteger.ONE), new byte[32]).r(),
                Ecdsa.sign(Secp256k1.bytes32(BigInteger.TWO), new byte[32]).r());
    }

    /**
     * The recovery id computed while signing (R's parity and overflow, flipped by low-S) recovers the signing key, and the
     * signature is Bouncy Castle's own RFC 6979 signature, low-S normalised, for 300 random keys and hashes.
     */
    @Test
    void theRecoveryIdFromSigningRecoversTheKeyAndMatchesBouncyCastle() {
        java.util.Random random = new java.util.Random(42);
        for (int i = 0; i < 300; i++) {
            byte[] priv = new byte[32];
            byte[] hash = new byte[32];
            random.nextBytes(priv);
            random.nextBytes(hash);
            priv[0] &= 0x7f; // below n
            if (new BigInteger(1, priv).signum() == 0) {
                continue;
            }
            Ecdsa.Recoverable sig = Ecdsa.signRecoverable(priv, hash);
            assertTrue(sig.s().compareTo(Secp256k1.HALF_N) <= 0, "low S");
            assertEquals(Secp256k1.point(new BigInteger(1, priv)).normalize(), Ecdsa.recover(hash, sig.r(), sig.s(), sig.recoveryId()),
                    "recovery id " + sig.recoveryId() + " of signature " + i);
            org.bouncycastle.crypto.signers.ECDSASigner bc = new org.bouncycastle.crypto.signers.ECDSASigner(
                    new org.bouncycastle.crypto.signers.HMacDSAKCalculator(new org.bouncycastle.crypto.digests.SHA256Digest()));
            bc.init(true, new org.bouncycastle.crypto.params.ECPrivateKeyParameters(new BigInteger(1, priv), Secp256k1.DOMAIN));
            BigInteger[] rs = bc.generateSignature(hash);
            assertEquals(rs[0], sig.r());
            assertEquals(rs[1].min(Secp256k1.N.subtract(rs[1])), sig.s());
        }
    }
}
