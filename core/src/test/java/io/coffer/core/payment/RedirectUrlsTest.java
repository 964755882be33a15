package io.coffer.core.payment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.coffer.core.error.CofferException;
import org.junit.jupiter.api.Test;

class RedirectUrlsTest {
    @Test
    void plainWebAddressesOnly() {
        RedirectUrls.check("");
        RedirectUrls.check("https://shop.example/orders/42?paid=1");
        RedirectUrls.check("http://127.0.0.1:8080/thanks");
        for (String bad : new String[] {"javascript:alert(1)", "data:text/html,hi", "/relative/path", "//shop.example/x",
                "ftp://shop.example/", "https://user:pass@shop.example/", "https://shop.example/a b", "https://shop.example/\u00e9",
                "https:///nohost", "https://shop.example/\n"}) {
            CofferException e = assertThrows(CofferException.class, () -> RedirectUrls.check(bad), bad);
            assertEquals("REDIRECT_URL_INVALID", e.code(), bad);
            assertEquals("redirect_url", e.field(), bad);
        }
        assertEquals("FIELD_TOO_LONG", assertThrows(CofferException.class,
                () -> RedirectUrls.check("https://shop.example/" + "a".repeat(2_000))).code());
    }
}
