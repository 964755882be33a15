package io.coffer.core.keys;

import java.util.ArrayList;
import java.util.List;

/**
 * A BIP-32 path such as {@code m/84'/0'/0'/0/5}. Hardened steps are written with {@code '} or
 * {@code h} and stored with bit 31 set.
 */
public record DerivationPath(List<Integer> steps) {
    public static final int HARDENED = 0x80000000;

    public DerivationPath {
        steps = List.copyOf(steps);
    }

    public static DerivationPath parse(String text) {
        String[] parts = text.trim().split("/");
        if (parts.length == 0 || !parts[0].equals("m")) {
            throw new IllegalArgumentException("a derivation path starts with 'm': " + text);
        }
        List<Integer> steps = new ArrayList<>();
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i];
            boolean hardened = p.endsWith("'") || p.endsWith("h") || p.endsWith("H");
            String num = hardened ? p.substring(0, p.length() - 1) : p;
            long n;
            try {
                n = Long.parseLong(num);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad step '" + p + "' in derivation path " + text);
            }
            if (n < 0 || n >= (1L << 31)) {
                throw new IllegalArgumentException("step '" + p + "' out of range in derivation path " + text);
            }
            steps.add(hardened ? (int) n | HARDENED : (int) n);
        }
        return new DerivationPath(steps);
    }

    public DerivationPath child(int index) {
        List<Integer> s = new ArrayList<>(steps);
        s.add(index);
        return new DerivationPath(s);
    }

    public static int hardened(int index) {
        return index | HARDENED;
    }

    public static boolean isHardened(int step) {
        return (step & HARDENED) != 0;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("m");
        for (int s : steps) {
            sb.append('/').append(s & 0x7FFFFFFF);
            if (isHardened(s)) {
                sb.append('\'');
            }
        }
        return sb.toString();
    }
}
