package io.coffer.api;

/** The checkout tests' QR reader, for tests in other packages. */
public final class CheckoutITSupport {
    private CheckoutITSupport() {
    }

    public static String decodeQr(String svg) throws Exception {
        return CheckoutIT.decodeQr(svg);
    }
}
