package io.coffer.core.keys;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.generators.SCrypt;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * The two pieces every passphrase-encrypted file of Coffer uses (the seed file, backups): a 256-bit key from a passphrase by
 * scrypt, and AES-256-GCM with a 128-bit tag. The passphrase's UTF-8 bytes are wiped as soon as the key is made.
 */
public final class PassphraseCrypto {
    private PassphraseCrypto() {
    }

    /** scrypt(passphrase as UTF-8, salt, N = 2^log2N, r, p) to 32 bytes; the caller wipes the key when done. */
    public static byte[] scrypt(char[] passphrase, byte[] salt, int log2N, int r, int p) {
        ByteBuffer encoded = StandardCharsets.UTF_8.encode(CharBuffer.wrap(passphrase));
        byte[] pw = Arrays.copyOfRange(encoded.array(), encoded.position(), encoded.limit());
        Secrets.wipe(encoded.array());
        try {
            return SCrypt.generate(pw, salt, 1 << log2N, r, p, 32);
        } finally {
            Secrets.wipe(pw);
        }
    }

    /** AES-256-GCM, 128-bit tag, set up to encrypt or decrypt under {@code key} and {@code nonce}, authenticating {@code aad}. */
    public static GCMBlockCipher gcm(boolean encrypt, byte[] key, byte[] nonce, byte[] aad) {
        GCMBlockCipher gcm = (GCMBlockCipher) GCMBlockCipher.newInstance(AESEngine.newInstance());
        gcm.init(encrypt, new AEADParameters(new KeyParameter(key), 128, nonce, aad));
        return gcm;
    }
}
