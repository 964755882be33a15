package io.coffer.core.operator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** RFC 6238's own test vectors (Appendix B: 8 digits, 30 s steps, T0 = 0, each HMAC with its seed), and base32 (RFC 4648 §10). */
class TotpTest {
    private static final byte[] SHA1_SEED = "12345678901234567890".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SHA256_SEED = "12345678901234567890123456789012".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SHA512_SEED = "1234567890123456789012345678901234567890123456789012345678901234".getBytes(StandardCharsets.US_ASCII);

    @ParameterizedTest(name = "T={0}")
    @CsvSource({
        "59, 94287082, 46119246, 90693936",
        "1111111109, 07081804, 68084774, 25091201",
        "1111111111, 14050471, 67062674, 99943326",
        "1234567890, 89005924, 91819424, 93441116",
        "2000000000, 69279037, 90698825, 38618901",
        "20000000000, 65353130, 77737706, 47863826",
    })
    void rfc6238AppendixB(long unixSeconds, String sha1, String sha256, String sha512) {
        long step = Totp.step(Instant.ofEpochSecond(unixSeconds));
        assertEquals(sha1, Totp.code(SHA1_SEED, step, 8, "HmacSHA1"));
        assertEquals(sha256, Totp.code(SHA256_SEED, step, 8, "HmacSHA256"));
        assertEquals(sha512, Totp.code(SHA512_SEED, step, 8, "HmacSHA512"));
        assertEquals(sha1.substring(2), Totp.code(SHA1_SEED, step), "six digits: the same value mod 10^6");
    }

    @Test
    void aCodeMatchesItsStepOrOneEitherSideOnly() {
        Instant now = Instant.ofEpochSecond(1234567890);
        long step = Totp.step(now);
        assertEquals(step, Totp.matchingStep(SHA1_SEED, Totp.code(SHA1_SEED, step), now));
        assertEquals(step - 1, Totp.matchingStep(SHA1_SEED, Totp.code(SHA1_SEED, step - 1), now));
        assertEquals(step + 1, Totp.matchingStep(SHA1_SEED, Totp.code(SHA1_SEED, step + 1), now));
        assertEquals(-1, Totp.matchingStep(SHA1_SEED, Totp.code(SHA1_SEED, step - 2), now), "a minute old: stale");
        assertEquals(-1, Totp.matchingStep(SHA1_SEED, "12345", now));
        assertEquals(-1, Totp.matchingStep(SHA1_SEED, "12a456", now));
    }

    @Test
    void base32AsRfc4648() {
        // RFC 4648 section 10, without padding
        assertEquals("", Totp.Base32.encode(new byte[0]));
        assertEquals("MY", Totp.Base32.encode("f".getBytes(StandardCharsets.US_ASCII)));
        assertEquals("MZXW6", Totp.Base32.encode("foo".getBytes(StandardCharsets.US_ASCII)));
        assertEquals("MZXW6YTBOI", Totp.Base32.encode("foobar".getBytes(StandardCharsets.US_ASCII)));
        assertArrayEquals("foobar".getBytes(StandardCharsets.US_ASCII), Totp.Base32.decode("mzxw6ytboi"));
        assertEquals("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", Totp.Base32.encode(SHA1_SEED));
        assertEquals("otpauth://totp/Coffer:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Coffer&algorithm=SHA1&digits=6&period=30",
                Totp.uri("Coffer", "alice", SHA1_SEED));
    }
}
