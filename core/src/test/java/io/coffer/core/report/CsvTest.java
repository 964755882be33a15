package io.coffer.core.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class CsvTest {
    @Test
    void quotesWhatNeedsItAndNeutralisesFormulas() {
        assertEquals("a,b,\"c,d\",\"say \"\"hi\"\"\",\"two\nlines\",\r\n", Csv.line(Arrays.asList("a", "b", "c,d", "say \"hi\"", "two\nlines", null)));
        assertEquals("'=HYPERLINK(\"x\")", Csv.text("=HYPERLINK(\"x\")"));
        assertEquals("'+1", Csv.text("+1"));
        assertEquals("'-2", Csv.text("-2"));
        assertEquals("'@SUM(A1)", Csv.text("@SUM(A1)"));
        assertEquals("order 7", Csv.text("order 7"));
        assertEquals("", Csv.text(""));
        assertEquals("\"'=1,2\"\r\n", Csv.line(List.of(Csv.text("=1,2"))));
    }
}
