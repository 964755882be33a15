package io.coffer.cli;

import io.coffer.proto.v1.Event;
import io.coffer.proto.v1.EventsGrpc;
import io.coffer.proto.v1.ListEventsRequest;
import io.coffer.proto.v1.ListWebhookDeliveriesRequest;
import io.coffer.proto.v1.PaymentRequest;
import io.coffer.proto.v1.RedeliverEventRequest;
import io.coffer.proto.v1.SetWebhookRequest;
import io.coffer.proto.v1.StreamEventsRequest;
import io.coffer.proto.v1.Webhook;
import io.coffer.proto.v1.WebhookDelivery;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.Iterator;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code coffer events ...} and {@code coffer webhook ...}: a tenant's events and webhook, through its API key. */
final class EventCommands {
    private EventCommands() {
    }

    /** One line per event: sequence, type, and what it says about its subject. */
    static String line(Event e) {
        String type = e.getType().name().replace("EVENT_TYPE_", "");
        String subject;
        if (e.hasPaymentRequest()) {
            PaymentRequest p = e.getPaymentRequest();
            subject = p.getId() + " " + p.getStatus().name().replace("PAYMENT_REQUEST_STATUS_", "") + " amount " + p.getAmount().getValue()
                    + " paid " + p.getAmountPaid().getValue() + " confirmed " + p.getAmountConfirmed().getValue() + " " + p.getAmount().getAsset()
                    + (p.getOverpaid().getValue().equals("0") ? "" : " overpaid " + p.getOverpaid().getValue())
                    + (p.getHasLatePayments() ? " LATE-PAYMENTS" : "") + (p.getFinal() ? " final" : "");
        } else if (e.hasDeposit()) {
            var d = e.getDeposit();
            subject = d.getDepositId() + " " + d.getAmount().getValue() + " " + d.getAmount().getAsset() + " "
                    + d.getStatus().name().replace("TX_STATUS_", "") + " " + d.getConfirmations() + " conf"
                    + (d.getPaymentRequestId().isEmpty() ? "" : " for " + d.getPaymentRequestId());
        } else if (e.hasTransfer()) {
            var t = e.getTransfer();
            subject = t.getId() + " " + t.getStatus().name().replace("TRANSFER_STATUS_", "") + " " + t.getAmount().getValue() + " "
                    + t.getAmount().getAsset() + " to " + t.getDestination();
        } else {
            subject = "";
        }
        return e.getSequence() + " " + e.getId() + " " + type + " " + subject; // the ev_ id is what `webhook redeliver` takes
    }

    @Command(name = "events", description = "The tenant's events: past ones, or follow new ones as they happen.",
            subcommands = {ListEvents.class, Follow.class})
    static final class Group {
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Events after a sequence, oldest first.")
    static final class ListEvents implements Callable<Integer> {
        @Mixin
        WalletCommands.Key key = new WalletCommands.Key();
        @Option(names = "--after", defaultValue = "0", description = "Only events with a greater sequence.")
        long after;
        @Option(names = "--limit", defaultValue = "100", description = "At most this many (1..500).")
        int limit;
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            var r = WalletCommands.call(spec, key, EventsGrpc::newBlockingStub,
                    s -> s.listEvents(ListEventsRequest.newBuilder().setAfterSequence(after).setLimit(limit).build()));
            r.getEventsList().forEach(e -> spec.commandLine().getOut().println(line(e)));
            spec.commandLine().getOut().println("latest sequence " + r.getLatestSequence());
            return Exits.OK;
        }
    }

    @Command(name = "follow", mixinStandardHelpOptions = true,
            description = "Prints events after a sequence, then each new one as it happens, until interrupted (or --count).")
    static final class Follow implements Callable<Integer> {
        @Mixin
        WalletCommands.Key key = new WalletCommands.Key();
        @Option(names = "--after", defaultValue = "0", description = "Start after this sequence (resume with the last one printed).")
        long after;
        @Option(names = "--count", defaultValue = "0", description = "Stop after this many events (0: never).")
        int count;
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            CofferCli cli = (CofferCli) spec.root().userObject();
            Metadata m = new Metadata();
            m.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + key.secret());
            ManagedChannel ch = cli.channel();
            try {
                // No deadline: a stream stays open for as long as the user watches.
                Iterator<Event> it = EventsGrpc.newBlockingStub(ch).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(m))
                        .streamEvents(StreamEventsRequest.newBuilder().setAfterSequence(after).build());
                PrintWriter out = spec.commandLine().getOut();
                int n = 0;
                while ((count == 0 || n < count) && it.hasNext()) {
                    out.println(line(it.next()));
                    out.flush();
                    n++;
                }
                return Exits.OK;
            } finally {
                CofferCli.close(ch);
            }
        }
    }

    @Command(name = "webhook", description = "The tenant's webhook: set it, show it, its deliveries, redeliver (needs an admin-scope key).",
            subcommands = {SetHook.class, GetHook.class, Deliveries.class, Redeliver.class})
    static final class WebhookGroup {
    }

    @Command(name = "set", mixinStandardHelpOptions = true, description = "Sets the endpoint; prints the signing secret (shown only here).")
    static final class SetHook implements Callable<Integer> {
        @Mixin
        WalletCommands.Key key = new WalletCommands.Key();
        @Option(names = "--url", required = true, description = "http(s) URL receiving POSTed events.")
        String url;
        @Option(names = "--rotate-secret", description = "A new signing secret (the old one stops working at once).")
        boolean rotate;
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            Webhook w = WalletCommands.call(spec, key, EventsGrpc::newBlockingStub,
                    s -> s.setWebhook(SetWebhookRequest.newBuilder().setUrl(url).setRotateSecret(rotate).build()));
            spec.commandLine().getOut().println(w.getUrl());
            spec.commandLine().getOut().println("signing secret: " + w.getSecret());
            return Exits.OK;
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "The endpoint (never the secret).")
    static final class GetHook implements Callable<Integer> {
        @Mixin
        WalletCommands.Key key = new WalletCommands.Key();
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            Webhook w = WalletCommands.call(spec, key, EventsGrpc::newBlockingStub, s -> s.getWebhook(
                    io.coffer.proto.v1.GetWebhookRequest.getDefaultInstance()));
            spec.commandLine().getOut().println(w.getUrl() + " (updated " + Instant.ofEpochSecond(w.getUpdatedAt().getSeconds()) + ")");
            return Exits.OK;
        }
    }

    @Command(name = "deliveries", mixinStandardHelpOptions = true, description = "Deliveries, newest first (first page).")
    static final class Deliveries implements Callable<Integer> {
        @Mixin
        WalletCommands.Key key = new WalletCommands.Key();
        @Option(names = "--failed", description = "Only FAILED ones (retry window over).")
        boolean failed;
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            for (WebhookDelivery d : WalletCommands.call(spec, key, EventsGrpc::newBlockingStub, s -> s.listWebhookDeliveries(
                    ListWebhookDeliveriesRequest.newBuilder().setOnlyFailed(failed).build())).getDeliveriesList()) {
                spec.commandLine().getOut().printf("%d %s %s attempts %d%s%s%n", d.getSequence(), d.getEventId(),
                        d.getState().name().replace("STATE_", ""), d.getAttempts(),
                        d.getLastError().isEmpty() ? "" : " last error: " + d.getLastError(),
                        d.getState() == WebhookDelivery.State.STATE_PENDING ? " next " + Instant.ofEpochSecond(d.getNextAttemptAt().getSeconds()) : "");
            }
            return Exits.OK;
        }
    }

    @Command(name = "redeliver", mixinStandardHelpOptions = true, description = "Sends an event to the webhook again, now.")
    static final class Redeliver implements Callable<Integer> {
        @Mixin
        WalletCommands.Key key = new WalletCommands.Key();
        @Parameters(index = "0", description = "The event id (ev_...).")
        String eventId;
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            WebhookDelivery d = WalletCommands.call(spec, key, EventsGrpc::newBlockingStub,
                    s -> s.redeliverEvent(RedeliverEventRequest.newBuilder().setEventId(eventId).build()));
            spec.commandLine().getOut().println(d.getEventId() + " queued for delivery");
            return Exits.OK;
        }
    }
}
