package io.coffer.cli;

import io.coffer.core.keys.Secrets;
import java.io.Console;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reading secrets from files or the terminal, and clearing the screen between custodians. */
final class Terminal {
    private Terminal() {
    }

    /** The words of a share or mnemonic file: lines starting with '#' are comments. Caller wipes. */
    static char[] readSecretFile(Path file) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            StringBuilder sb = new StringBuilder();
            for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
                if (!line.strip().startsWith("#")) {
                    sb.append(line).append(' ');
                }
            }
            Secrets.wipe(bytes);
            char[] out = sb.toString().strip().toCharArray();
            sb.setLength(0);
            return out;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getClass().getSimpleName());
        }
    }

    static List<char[]> readSecretFiles(List<Path> files) {
        List<char[]> out = new ArrayList<>();
        files.forEach(f -> out.add(readSecretFile(f)));
        return out;
    }

    static Console console() {
        Console c = System.console();
        if (c == null) {
            throw new IllegalArgumentException("no interactive terminal: pass the secret as a file option instead");
        }
        return c;
    }

    /** Reads a line without echo. */
    static char[] readHidden(String prompt) {
        char[] v = console().readPassword("%s", prompt);
        if (v == null) {
            throw new IllegalArgumentException("input closed");
        }
        return v;
    }

    /** Clears the screen and the scroll-back (xterm sequences), so a share does not stay visible. */
    static void clear(PrintWriter out) {
        out.print("\u001b[H\u001b[2J\u001b[3J");
        out.flush();
    }
}
