package io.coffer.api.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The README's table of error reasons is the one list a merchant reads: this test finds every reason the code can answer
 * with (each way an error with a stable code is built) and checks that the table lists exactly those, each with the gRPC
 * status it comes with. A new reason without a line in the table, or a line for a reason no code gives, fails here.
 */
class ErrorReasonsTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    /** How reasons are built, each with the status it maps to (group 1 the status where the pattern carries it, else fixed). */
    private static final Map<Pattern, String> WAYS = Map.of(
            Pattern.compile("CofferException\\.invalid\\(\\s*[^,]+,\\s*\"([A-Z][A-Z0-9_]+)\""), "INVALID_ARGUMENT",
            Pattern.compile("new (?:Coffer|Custody)Exception\\(\\s*(?:io\\.coffer\\.core\\.error\\.)?ErrorKind\\.([A-Z_]+),\\s*\"([A-Z][A-Z0-9_]+)\""), "",
            Pattern.compile("super\\(ErrorKind\\.([A-Z_]+),\\s*\"([A-Z][A-Z0-9_]+)\""), "",
            Pattern.compile("CustodyException\\.state\\(\"([A-Z][A-Z0-9_]+)\""), "FAILED_PRECONDITION",
            Pattern.compile("new MnemonicException\\(\"([A-Z][A-Z0-9_]+)\""), "INVALID_ARGUMENT",
            Pattern.compile("reason = tooLarge \\? \"([A-Z_]+)\" : \"([A-Z_]+)\""), "TRANSPORT");

    static Map<String, TreeSet<String>> reasonsInCode() {
        Map<String, TreeSet<String>> out = new TreeMap<>();
        try (Stream<Path> files = Files.walk(ROOT)) {
            files.filter(p -> p.toString().endsWith(".java") && p.toString().contains("/src/main/java/") && !p.toString().contains("/target/"))
                    .forEach(p -> {
                        String s = read(p);
                        for (var way : WAYS.entrySet()) {
                            Matcher m = way.getKey().matcher(s);
                            while (m.find()) {
                                if (way.getValue().equals("TRANSPORT")) {
                                    out.computeIfAbsent(m.group(1), k -> new TreeSet<>()).add("RESOURCE_EXHAUSTED");
                                    out.computeIfAbsent(m.group(2), k -> new TreeSet<>()).add("UNIMPLEMENTED");
                                } else if (way.getValue().isEmpty()) {
                                    out.computeIfAbsent(m.group(2), k -> new TreeSet<>()).add(m.group(1));
                                } else {
                                    out.computeIfAbsent(m.group(1), k -> new TreeSet<>()).add(way.getValue());
                                }
                            }
                        }
                    });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // Built from variables, not literals: the incident answer and the planned-RPC answer.
        out.computeIfAbsent("INTERNAL", k -> new TreeSet<>()).add("INTERNAL");
        out.computeIfAbsent("NOT_IMPLEMENTED", k -> new TreeSet<>()).add("UNIMPLEMENTED");
        return out;
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The README table's rows: {@code | `REASON` | STATUS[, STATUS] | meaning |}. */
    static Map<String, TreeSet<String>> reasonsInReadme() {
        Map<String, TreeSet<String>> out = new TreeMap<>();
        Matcher m = Pattern.compile("(?m)^\\| `([A-Z][A-Z0-9_]+)` \\| ([A-Z_, ]+) \\|").matcher(read(ROOT.resolve("README.md")));
        while (m.find()) {
            out.put(m.group(1), new TreeSet<>(java.util.Arrays.asList(m.group(2).trim().split(",\\s*"))));
        }
        return out;
    }

    @Test
    void theReadmeListsEveryReasonTheCodeGivesWithItsStatus() {
        Map<String, TreeSet<String>> code = reasonsInCode();
        Map<String, TreeSet<String>> readme = reasonsInReadme();
        assertTrue(code.size() > 80, "the reasons were found: " + code.keySet());
        TreeSet<String> missing = new TreeSet<>(code.keySet());
        missing.removeAll(readme.keySet());
        TreeSet<String> stale = new TreeSet<>(readme.keySet());
        stale.removeAll(code.keySet());
        assertTrue(missing.isEmpty(), "reasons the code gives that the README's table does not list: " + missing);
        assertTrue(stale.isEmpty(), "README rows for reasons no code gives: " + stale);
        assertEquals(code, readme, "the status of each reason");
    }
}
