package io.coffer.cli;

import io.coffer.proto.v1.CancelPaymentRequestRequest;
import io.coffer.proto.v1.CreatePaymentRequestRequest;
import io.coffer.proto.v1.GetPaymentRequestRequest;
import io.coffer.proto.v1.ListPaymentRequestsRequest;
import io.coffer.proto.v1.PaymentRequest;
import io.coffer.proto.v1.PaymentsGrpc;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code coffer payment ...}: a merchant's payment requests through its API key (what a shop backend would call). */
@Command(name = "payment", description = "Create, show, list and cancel payment requests, through an API key.",
        subcommands = {PaymentCommands.Create.class, PaymentCommands.Get.class, PaymentCommands.ListRequests.class,
            PaymentCommands.Cancel.class})
final class PaymentCommands {
    private PaymentCommands() {
    }

    static <T> T call(picocli.CommandLine.Model.CommandSpec spec, WalletCommands.Key key, Function<PaymentsGrpc.PaymentsBlockingStub, T> rpc) {
        return WalletCommands.call(spec, key, PaymentsGrpc::newBlockingStub, rpc);
    }

    /** One line: id, status, amounts (base units), address; the URI (and the checkout page, if any) on the next lines when asked. */
    static void print(PrintWriter out, PaymentRequest pr, boolean uri) {
        out.printf("%s %s %s %s paid %s confirmed %s%s%s %s%n", pr.getId(), pr.getStatus().name().replace("PAYMENT_REQUEST_STATUS_", ""),
                pr.getAmount().getValue(), pr.getAmount().getAsset(), pr.getAmountPaid().getValue(), pr.getAmountConfirmed().getValue(),
                pr.getOverpaid().getValue().equals("0") || pr.getOverpaid().getValue().isEmpty() ? "" : " overpaid " + pr.getOverpaid().getValue(),
                pr.getHasLatePayments() ? " LATE-PAYMENTS" : "", pr.getAddress());
        if (uri) {
            out.println(pr.getPaymentUri());
            if (!pr.getCheckoutUrl().isEmpty()) {
                out.println("checkout: " + pr.getCheckoutUrl());
            }
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "A payment request: prints its id, address, payment URI and checkout page.")
    static final class Create implements Callable<Integer> {
        @Mixin
        WalletCommands.Key key = new WalletCommands.Key();
        @Option(names = "--asset", required = true, description = "Asset id, e.g. bitcoin/BTC or ethereum/USDC.")
        String asset;
        @Option(names = "--amount", required = true, description = "Amount in base units (satoshi, wei, token units).")
        String amount;
        @Option(names = "--idempotency-key", required = true, description = "Your unique key for this request (e.g. the order id); a retry with it returns the original.")
        String idempotencyKey;
        @Option(names = "--order-id", defaultValue = "", description = "Your order id.")
        String orderId;
        @Option(names = "--description", defaultValue = "", description = "Shown to the payer in the URI (Bitcoin).")
        String description;
        @Option(names = "--confirmations", description = "Confirmations to wait for (default: the chain's).")
        Integer confirmations;
        @Option(names = "--expires-in-seconds", description = "Expiry, from now.")
        Long expiresIn;
        @Option(names = "--redirect-url", defaultValue = "", description = "Where the checkout page sends the customer once paid (http/https).")
        String redirectUrl;
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            CreatePaymentRequestRequest.Builder r = CreatePaymentRequestRequest.newBuilder().setAsset(asset).setAmount(amount)
                    .setIdempotencyKey(idempotencyKey).setOrderId(orderId).setDescription(description).setRedirectUrl(redirectUrl);
            if (confirmations != null) {
                r.setRequiredConfirmations(confirmations);
            }
            if (expiresIn != null) {
                Instant at = Instant.now().plusSeconds(expiresIn);
                r.setExpiresAt(com.google.protobuf.Timestamp.newBuilder().setSeconds(at.getEpochSecond()).setNanos(at.getNano()));
            }
            print(spec.commandLine().getOut(), PaymentCommands.call(spec, key, s -> s.createPaymentRequest(r.build())), true);
            return Exits.OK;
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "One payment request, its status recomputed now.")
    static final class Get implements Callable<Integer> {
        @Mixin
        WalletCommands.Key key = new WalletCommands.Key();
        @Parameters(index = "0", description = "The request id (pr_...).")
        String id;
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            print(spec.commandLine().getOut(), PaymentCommands.call(spec, key,
                    s -> s.getPaymentRequest(GetPaymentRequestRequest.newBuilder().setId(id).build())), false);
            return Exits.OK;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Payment requests, newest first (first page).")
    static final class ListRequests implements Callable<Integer> {
        @Mixin
        WalletCommands.Key key = new WalletCommands.Key();
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            for (PaymentRequest pr : PaymentCommands.call(spec, key, s -> s.listPaymentRequests(ListPaymentRequestsRequest.getDefaultInstance()))
                    .getPaymentRequestsList()) {
                print(spec.commandLine().getOut(), pr, false);
            }
            return Exits.OK;
        }
    }

    @Command(name = "cancel", mixinStandardHelpOptions = true, description = "Cancel a request nothing (or not enough) was paid to.")
    static final class Cancel implements Callable<Integer> {
        @Mixin
        WalletCommands.Key key = new WalletCommands.Key();
        @Parameters(index = "0", description = "The request id (pr_...).")
        String id;
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            print(spec.commandLine().getOut(), PaymentCommands.call(spec, key,
                    s -> s.cancelPaymentRequest(CancelPaymentRequestRequest.newBuilder().setId(id).build())), false);
            return Exits.OK;
        }
    }
}
