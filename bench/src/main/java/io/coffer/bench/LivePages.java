package io.coffer.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Checkout pages held open live, as customers' browsers do: one HTTP/1.1 connection each to a page's Server-Sent Events, read
 * as they come. Opened all at once; usable once every one got its first status.
 */
final class LivePages implements AutoCloseable {
    private final List<HttpClient> clients = new ArrayList<>();
    private final List<Stream<String>> bodies = java.util.Collections.synchronizedList(new ArrayList<>());
    private final AtomicLong messages = new AtomicLong();
    private final AtomicLong connected = new AtomicLong();
    private final java.util.concurrent.ExecutorService readers = Executors.newVirtualThreadPerTaskExecutor();

    private LivePages() {
    }

    static LivePages open(List<String> pageUrls, int count) throws InterruptedException {
        LivePages live = new LivePages();
        CountDownLatch first = new CountDownLatch(count);
        // A client per 100 connections: each keeps its own pool, as separate browsers would.
        for (int i = 0; i < count; i++) {
            if (i % 100 == 0) {
                live.clients.add(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10))
                        .executor(Executors.newVirtualThreadPerTaskExecutor()).build());
            }
            HttpClient client = live.clients.get(live.clients.size() - 1);
            String url = pageUrls.get(i % pageUrls.size()) + "/events";
            live.readers.submit(() -> {
                try {
                    HttpResponse<Stream<String>> r = client.send(HttpRequest.newBuilder(URI.create(url)).build(),
                            HttpResponse.BodyHandlers.ofLines());
                    live.bodies.add(r.body());
                    boolean[] counted = {false};
                    r.body().forEach(line -> {
                        if (line.startsWith("data: ")) {
                            live.messages.incrementAndGet();
                            if (!counted[0]) {
                                counted[0] = true;
                                live.connected.incrementAndGet();
                                first.countDown();
                            }
                        }
                    });
                } catch (Exception e) {
                    // closed at the end, or refused: counted by what never arrived
                }
                return null;
            });
        }
        if (!first.await(120, TimeUnit.SECONDS)) {
            throw new IllegalStateException("only " + live.connected.get() + " of " + count + " live pages got their first status in 120 s");
        }
        live.messages.set(0);
        return live;
    }

    long connected() {
        return connected.get();
    }

    long messages() {
        return messages.get();
    }

    @Override
    public void close() {
        synchronized (bodies) {
            bodies.forEach(Stream::close);
        }
        readers.shutdownNow();
        clients.forEach(HttpClient::shutdownNow);
    }
}
