package io.coffer.core.keys;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A mnemonic word list loaded from this package's resources; index lookups both ways. */
final class Wordlist {
    private final List<String> words;
    private final Map<String, Integer> index = new HashMap<>();

    private Wordlist(List<String> words) {
        this.words = List.copyOf(words);
        for (int i = 0; i < words.size(); i++) {
            index.put(words.get(i), i);
        }
    }

    static Wordlist load(String resource, int expectedSize) {
        try (InputStream in = Wordlist.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("word list " + resource + " missing from the classpath");
            }
            List<String> words = new ArrayList<>();
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null; ) {
                if (!line.isBlank()) {
                    words.add(line.trim());
                }
            }
            if (words.size() != expectedSize) {
                throw new IllegalStateException("word list " + resource + " has " + words.size() + " words, not " + expectedSize);
            }
            return new Wordlist(words);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read word list " + resource, e);
        }
    }

    String word(int i) {
        return words.get(i);
    }

    /** The word's index, or -1. */
    int indexOf(String word) {
        Integer i = index.get(word);
        return i == null ? -1 : i;
    }

    List<String> words() {
        return words;
    }
}
