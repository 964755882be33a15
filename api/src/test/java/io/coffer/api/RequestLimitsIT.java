package io.coffer.api;

import static io.coffer.api.ApiTests.bearer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.rpc.ErrorInfo;
import io.coffer.api.grpc.TransportGuard;
import io.coffer.proto.v1.CreateApiKeyRequest;
import io.coffer.proto.v1.CreatePaymentRequestRequest;
import io.coffer.proto.v1.CreateTenantRequest;
import io.coffer.proto.v1.GetBalanceRequest;
import io.coffer.proto.v1.PaymentsGrpc;
import io.coffer.proto.v1.Scope;
import io.coffer.proto.v1.WalletGrpc;
import io.coffer.testkit.AnvilNode;
import io.coffer.testkit.BitcoindNode;
import io.coffer.testkit.WithDevnet;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.MetadataUtils;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What anyone who can reach the port may send, answered at once under the error contract: oversized and compressed messages
 * (with and without credentials), and refused credentials, each with an {@code ErrorInfo}; the node's log gets at most a few
 * bounded lines and never the bytes sent, and the connection keeps serving.
 */
@WithDevnet
class RequestLimitsIT {
    @TempDir
    Path dir;

    private static ErrorInfo info(StatusRuntimeException e) {
        com.google.rpc.Status s = StatusProto.fromThrowable(e);
        assertTrue(s != null && s.getDetailsCount() == 1, "ErrorInfo in grpc-status-details-bin: " + e);
        try {
            return s.getDetails(0).unpack(ErrorInfo.class);
        } catch (com.google.protobuf.InvalidProtocolBufferException x) {
            throw new AssertionError(x);
        }
    }

    private static StatusRuntimeException refused(Status.Code code, String reason, Supplier<Object> call) {
        long start = System.nanoTime();
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::get);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals(code, e.getStatus().getCode(), e.toString());
        assertEquals(reason, info(e).getReason(), e.toString());
        assertTrue(ms < 20_000, "answered, not left to the deadline: " + ms + " ms");
        return e;
    }

    @Test
    void oversizedAndCompressedRequestsAreRefusedAtOnceWithoutFloodingTheLog(BitcoindNode btc, AnvilNode anvil) throws Exception {
        ApiTests.LogCapture capture = new ApiTests.LogCapture();
        Logger root = Logger.getLogger("");
        root.addHandler(capture);
        try (CofferNode node = CofferNode.start(ApiTests.devConfig(dir, btc, anvil, "", ""))) {
            ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", node.port()).usePlaintext().build();
            try {
                var admin = ApiTests.operator(ch, dir.resolve("data"));
                String shop = admin.createTenant(CreateTenantRequest.newBuilder().setName("shop").build()).getId();
                Metadata key = bearer(admin.createApiKey(CreateApiKeyRequest.newBuilder().setTenantId(shop).addScopes(Scope.SCOPE_READ)
                        .addScopes(Scope.SCOPE_PAYMENTS).build()).getSecret());
                var anonymous = PaymentsGrpc.newBlockingStub(ch).withDeadlineAfter(30, TimeUnit.SECONDS);
                var payments = PaymentsGrpc.newBlockingStub(ch).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(key));
                var wallet = WalletGrpc.newBlockingStub(ch).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(key));
                CreatePaymentRequestRequest base = CreatePaymentRequestRequest.newBuilder().setAsset("bitcoin/BTC").setAmount("1000")
                        .setIdempotencyKey("big").build();
                long logBefore = capture.bytes();
                int sent = 0;
                for (int size : new int[] {3 << 20, 2_200_000, TransportGuard.MAX_MESSAGE_BYTES + 1}) {
                    CreatePaymentRequestRequest big = base.toBuilder().setDescription("x".repeat(size)).build();
                    sent += big.getSerializedSize();
                    StatusRuntimeException e = refused(Status.Code.RESOURCE_EXHAUSTED, "MESSAGE_TOO_LARGE",
                            () -> anonymous.createPaymentRequest(big));
                    assertEquals(Integer.toString(TransportGuard.MAX_MESSAGE_BYTES), info(e).getMetadataOrThrow("max_bytes"));
                    refused(Status.Code.RESOURCE_EXHAUSTED, "MESSAGE_TOO_LARGE",
                            () -> payments.withDeadlineAfter(30, TimeUnit.SECONDS).createPaymentRequest(big));
                }
                // Just under the limit the message is read and the field named: the limit is the transport's, not the field's.
                CreatePaymentRequestRequest under = base.toBuilder().setDescription("x".repeat(TransportGuard.MAX_MESSAGE_BYTES - 100)).build();
                refused(Status.Code.INVALID_ARGUMENT, "FIELD_TOO_LONG", () -> payments.createPaymentRequest(under));

                // A compressed request: refused before anything decompresses it.
                refused(Status.Code.UNIMPLEMENTED, "COMPRESSION_UNSUPPORTED",
                        () -> wallet.withCompression("gzip").getBalance(GetBalanceRequest.newBuilder().setAsset("bitcoin/BTC").build()));

                // The same connection keeps serving; uncompressed, though the client accepts gzip (grpc-java says so by default).
                java.util.concurrent.atomic.AtomicReference<Metadata> answered = new java.util.concurrent.atomic.AtomicReference<>();
                java.util.concurrent.atomic.AtomicReference<Metadata> asked = new java.util.concurrent.atomic.AtomicReference<>();
                assertEquals("0", wallet.withInterceptors(MetadataUtils.newCaptureMetadataInterceptor(answered, new java.util.concurrent.atomic.AtomicReference<>()),
                        headersSent(asked)).getBalance(GetBalanceRequest.newBuilder().setAsset("bitcoin/BTC").build()).getConfirmed());
                Metadata.Key<String> acceptEncoding = Metadata.Key.of("grpc-accept-encoding", Metadata.ASCII_STRING_MARSHALLER);
                Metadata.Key<String> encoding = Metadata.Key.of("grpc-encoding", Metadata.ASCII_STRING_MARSHALLER);
                assertTrue(String.valueOf(asked.get().get(acceptEncoding)).contains("gzip"), "the client accepts gzip: " + asked.get());
                String answeredEncoding = answered.get().get(encoding);
                assertTrue(answeredEncoding == null || answeredEncoding.equals("identity"), "answer encoded " + answeredEncoding);
                long logged = capture.bytes() - logBefore;
                assertTrue(logged < 4_000, "at most a few short lines for " + sent + " bytes sent, not " + logged + " bytes of log: "
                        + capture.records.stream().map(r -> r.getLevel() + " " + r.getMessage()).toList());
                synchronized (capture.records) {
                    for (LogRecord r : capture.records) {
                        assertTrue(!String.valueOf(r.getMessage()).contains("xxxxxxxx") && !String.valueOf(r.getMessage()).contains("78787878"),
                                "no payload in the log: " + r.getMessage());
                        assertTrue(r.getLevel().intValue() < java.util.logging.Level.SEVERE.intValue(), "no SEVERE: " + r.getMessage());
                    }
                }
            } finally {
                ch.shutdownNow();
            }
        } finally {
            root.removeHandler(capture);
        }
    }

    /** Records the headers a call is sent with (those the channel adds itself included). */
    private static io.grpc.ClientInterceptor headersSent(java.util.concurrent.atomic.AtomicReference<Metadata> sent) {
        return new io.grpc.ClientInterceptor() {
            @Override
            public <Q, R> io.grpc.ClientCall<Q, R> interceptCall(io.grpc.MethodDescriptor<Q, R> method, io.grpc.CallOptions options,
                    io.grpc.Channel next) {
                return new io.grpc.ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                    @Override
                    public void start(Listener<R> listener, Metadata headers) {
                        super.start(listener, headers);
                        sent.set(headers);
                    }
                };
            }
        };
    }

    /**
     * Oversized requests whose clients never end their stream: each is sent without a half-close, so after the refusal the
     * client either resets the stream or leaves it open until its connection closes. Every one is answered at once, the same
     * connection serves a normal call after each, and once the connection is closed no stream's thread is left waiting for a
     * frame. Before, each reset left the stream's thread parked for good, and frames it had not read when the loop ended kept
     * their bytes out of the connection's flow-control window until the client could send nothing more (its next call waited
     * for its deadline: CI's failure of the test above).
     */
    @Test
    void refusedCallsNeverEndedByTheirClientsLeaveNoThreadAndNoStalledConnection(BitcoindNode btc, AnvilNode anvil) throws Exception {
        try (CofferNode node = CofferNode.start(ApiTests.devConfig(dir, btc, anvil, "", ""))) {
            int parkedBefore = parkedStreamThreads();
            ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", node.port()).usePlaintext().build();
            try {
                var admin = ApiTests.operator(ch, dir.resolve("data"));
                String shop = admin.createTenant(CreateTenantRequest.newBuilder().setName("shop").build()).getId();
                Metadata key = bearer(admin.createApiKey(CreateApiKeyRequest.newBuilder().setTenantId(shop).addScopes(Scope.SCOPE_READ)
                        .build()).getSecret());
                var wallet = WalletGrpc.newBlockingStub(ch).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(key));
                CreatePaymentRequestRequest big = CreatePaymentRequestRequest.newBuilder().setAsset("bitcoin/BTC").setAmount("1000")
                        .setIdempotencyKey("big").setDescription("x".repeat(3 << 20)).build();
                for (int i = 0; i < 12; i++) {
                    java.util.concurrent.CompletableFuture<Status> closed = new java.util.concurrent.CompletableFuture<>();
                    io.grpc.ClientCall<CreatePaymentRequestRequest, io.coffer.proto.v1.PaymentRequest> call = ch.newCall(PaymentsGrpc.getCreatePaymentRequestMethod(),
                            io.grpc.CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS));
                    call.start(new io.grpc.ClientCall.Listener<>() {
                        @Override
                        public void onClose(Status status, Metadata trailers) {
                            closed.complete(status);
                        }
                    }, new Metadata());
                    call.request(1);
                    call.sendMessage(big); // and no halfClose(): the client never ends its side
                    Status status = closed.get(30, TimeUnit.SECONDS);
                    assertEquals(Status.Code.RESOURCE_EXHAUSTED, status.getCode(), "call " + i + ": " + status);
                    // The connection still carries calls (its flow-control window was not eaten by unread frames).
                    assertEquals("0", wallet.withDeadlineAfter(20, TimeUnit.SECONDS)
                            .getBalance(GetBalanceRequest.newBuilder().setAsset("bitcoin/BTC").build()).getConfirmed(), "after call " + i);
                }
            } finally {
                ch.shutdownNow();
                ch.awaitTermination(10, TimeUnit.SECONDS);
            }
            int[] parked = {parkedStreamThreads()};
            ApiTests.await(() -> (parked[0] = parkedStreamThreads()) <= parkedBefore,
                    () -> "the streams' threads of the closed connection to end: " + parked[0] + " parked, " + parkedBefore + " before");
        }
    }

    /** How many threads of this JVM wait for a frame in Helidon's HTTP/2 stream loop (the node runs in this JVM). */
    private static int parkedStreamThreads() {
        try {
            Path dump = java.nio.file.Files.createTempFile("coffer-threads", ".txt");
            java.nio.file.Files.delete(dump); // dumpThreads refuses to overwrite
            try {
                java.lang.management.ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class)
                        .dumpThreads(dump.toString(), com.sun.management.HotSpotDiagnosticMXBean.ThreadDumpFormat.TEXT_PLAIN);
                String[] lines = java.nio.file.Files.readString(dump).split("\n");
                int parked = 0;
                for (int i = 1; i < lines.length; i++) {
                    if (lines[i].contains("io.helidon.webserver.http2.Http2ServerStream.handle")
                            && lines[i - 1].contains("java.util.concurrent.ArrayBlockingQueue.take")) {
                        parked++;
                    }
                }
                return parked;
            } finally {
                java.nio.file.Files.deleteIfExists(dump);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void call(io.grpc.Channel ch, io.grpc.MethodDescriptor md, com.google.protobuf.Message request) {
        io.grpc.CallOptions opts = io.grpc.CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS);
        if (md.getType() == io.grpc.MethodDescriptor.MethodType.SERVER_STREAMING) {
            io.grpc.stub.ClientCalls.blockingServerStreamingCall(ch, md, opts, request).hasNext();
        } else {
            io.grpc.stub.ClientCalls.blockingUnaryCall(ch, md, opts, request);
        }
    }

    /**
     * Every enum field of every request of every service, found from the descriptors (so a new one is covered without a line
     * here): a number the contract does not define is INVALID_ARGUMENT ENUM_VALUE_UNKNOWN naming the field; in a repeated field
     * (a filter) UNSPECIFIED is refused the same way.
     */
    @Test
    void everyEnumFieldOfEveryRequestFollowsOneRule(BitcoindNode btc, AnvilNode anvil) throws Exception {
        try (CofferNode node = CofferNode.start(ApiTests.devConfig(dir, btc, anvil, "", ""))) {
            ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", node.port()).usePlaintext().build();
            try {
                Metadata operator = bearer(java.nio.file.Files.readString(dir.resolve("data/operator.token")).trim());
                var admin = ApiTests.operator(ch, dir.resolve("data"));
                String shop = admin.createTenant(CreateTenantRequest.newBuilder().setName("shop").build()).getId();
                Metadata key = bearer(admin.createApiKey(CreateApiKeyRequest.newBuilder().setTenantId(shop).addScopes(Scope.SCOPE_READ)
                        .addScopes(Scope.SCOPE_PAYMENTS).addScopes(Scope.SCOPE_TRANSFERS).addScopes(Scope.SCOPE_ADMIN).build()).getSecret());
                List<String> checked = new ArrayList<>();
                for (io.grpc.ServiceDescriptor service : List.of(WalletGrpc.getServiceDescriptor(), PaymentsGrpc.getServiceDescriptor(),
                        io.coffer.proto.v1.TransfersGrpc.getServiceDescriptor(), io.coffer.proto.v1.EventsGrpc.getServiceDescriptor(),
                        io.coffer.proto.v1.AdminGrpc.getServiceDescriptor())) {
                    io.grpc.Channel authed = io.grpc.ClientInterceptors.intercept(ch, MetadataUtils.newAttachHeadersInterceptor(
                            service.getName().endsWith("Admin") ? operator : key));
                    for (io.grpc.MethodDescriptor<?, ?> md : service.getMethods()) {
                        com.google.protobuf.Message prototype = (com.google.protobuf.Message)
                                ((io.grpc.MethodDescriptor.PrototypeMarshaller<?>) md.getRequestMarshaller()).getMessagePrototype();
                        for (com.google.protobuf.Descriptors.FieldDescriptor f : prototype.getDescriptorForType().getFields()) {
                            if (f.getJavaType() != com.google.protobuf.Descriptors.FieldDescriptor.JavaType.ENUM) {
                                continue;
                            }
                            List<Integer> numbers = f.isRepeated() ? List.of(999, 0) : List.of(999);
                            for (int n : numbers) {
                                com.google.protobuf.Message.Builder b = prototype.toBuilder();
                                if (prototype.getDescriptorForType().findFieldByName("tenant_id") != null) {
                                    b.setField(prototype.getDescriptorForType().findFieldByName("tenant_id"), shop);
                                }
                                var value = f.getEnumType().findValueByNumberCreatingIfUnknown(n);
                                if (f.isRepeated()) {
                                    b.addRepeatedField(f, f.getEnumType().findValueByNumber(1)).addRepeatedField(f, value);
                                } else {
                                    b.setField(f, value);
                                }
                                String what = md.getFullMethodName() + " " + f.getName() + "=" + n;
                                StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> call(authed, md, b.build()), what);
                                assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), what + ": " + e);
                                assertEquals("ENUM_VALUE_UNKNOWN", info(e).getReason(), what);
                                assertEquals(f.getName(), info(e).getMetadataOrThrow("field"), what);
                                checked.add(what);
                            }
                        }
                    }
                }
                assertTrue(checked.size() >= 10, "the enum fields were found: " + checked);
            } finally {
                ch.shutdownNow();
            }
        }
    }

    /**
     * The node's HTTP/2 settings keep Helidon from its shared, unlocked collection of a connection's receive credit (see
     * {@link Http2Settings}): the receive window it announces holds fewer than four of the largest frames it accepts. Read from the
     * SETTINGS frame the node sends a client that has just connected, as any client reads it; then many calls at once on one
     * connection are all answered.
     */
    @Test
    void theAnnouncedSettingsReturnEachFramesCreditAtOnce(BitcoindNode btc, AnvilNode anvil) throws Exception {
        try (CofferNode node = CofferNode.start(ApiTests.devConfig(dir, btc, anvil, "", ""))) {
            java.util.Map<Integer, Long> settings = new java.util.HashMap<>();
            try (java.net.Socket socket = new java.net.Socket("127.0.0.1", node.port())) {
                socket.setSoTimeout(10_000);
                var out = socket.getOutputStream();
                out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                out.write(new byte[] {0, 0, 0, 4, 0, 0, 0, 0, 0}); // an empty SETTINGS frame
                out.flush();
                var in = new java.io.DataInputStream(socket.getInputStream());
                while (true) { // frames until the server's SETTINGS (not its ack of ours)
                    int length = (in.readUnsignedShort() << 8) | in.readUnsignedByte();
                    int type = in.readUnsignedByte();
                    int flags = in.readUnsignedByte();
                    in.readInt(); // stream id
                    byte[] payload = in.readNBytes(length);
                    if (type == 4 && (flags & 1) == 0) {
                        var p = java.nio.ByteBuffer.wrap(payload);
                        while (p.remaining() >= 6) {
                            settings.put(p.getShort() & 0xffff, p.getInt() & 0xffffffffL);
                        }
                        break;
                    }
                }
            }
            long window = settings.getOrDefault(0x4, 65_535L); // SETTINGS_INITIAL_WINDOW_SIZE, RFC 9113's default when absent
            long frame = settings.getOrDefault(0x5, 16_384L); // SETTINGS_MAX_FRAME_SIZE
            assertTrue(!Http2Settings.sharedPolicy(window, frame), "max frame " + frame + " for a window of " + window + ": " + settings);

            ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", node.port()).usePlaintext().build();
            try {
                var health = io.grpc.health.v1.HealthGrpc.newBlockingStub(ch);
                java.util.concurrent.atomic.AtomicInteger answered = new java.util.concurrent.atomic.AtomicInteger();
                List<Throwable> failed = java.util.Collections.synchronizedList(new ArrayList<>());
                List<Thread> callers = new ArrayList<>();
                for (int t = 0; t < 16; t++) {
                    callers.add(Thread.ofPlatform().start(() -> {
                        for (int i = 0; i < 200; i++) {
                            try {
                                health.withDeadlineAfter(30, TimeUnit.SECONDS).check(io.grpc.health.v1.HealthCheckRequest.getDefaultInstance());
                                answered.incrementAndGet();
                            } catch (RuntimeException e) {
                                failed.add(e);
                            }
                        }
                    }));
                }
                for (Thread t : callers) {
                    t.join();
                }
                assertEquals(List.of(), failed.stream().limit(3).map(Throwable::toString).toList());
                assertEquals(16 * 200, answered.get());
            } finally {
                ch.shutdownNow();
            }
        }
    }
}
