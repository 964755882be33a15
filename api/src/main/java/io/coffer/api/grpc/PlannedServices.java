package io.coffer.api.grpc;

import com.google.protobuf.Descriptors;
import com.google.rpc.ErrorInfo;
import io.coffer.proto.v1.AdminGrpc;
import io.coffer.proto.v1.AdminProto;
import io.coffer.proto.v1.EventsGrpc;
import io.coffer.proto.v1.EventsProto;
import io.coffer.proto.v1.PaymentsGrpc;
import io.coffer.proto.v1.PaymentsProto;
import io.coffer.proto.v1.TransfersGrpc;
import io.coffer.proto.v1.TransfersProto;
import io.coffer.proto.v1.WalletGrpc;
import io.coffer.proto.v1.WalletProto;
import io.grpc.BindableService;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parts of the coffer.v1 contract whose capability has not landed yet. Each such RPC answers
 * UNIMPLEMENTED with a message naming the capability (and its issue) that brings it, and an
 * {@code ErrorInfo} with reason {@code NOT_IMPLEMENTED} and metadata {@code capability}, so a merchant
 * integrating early sees what is coming instead of a bare "unimplemented". As capabilities land, their
 * RPCs are served by real services and disappear from this table.
 */
public final class PlannedServices {

    /** The file descriptor and stub descriptor of every Coffer service, for routing and reflection. */
    public record Contract(Descriptors.FileDescriptor file, ServiceDescriptor service) {
    }

    public static final List<Contract> CONTRACT = List.of(
            new Contract(WalletProto.getDescriptor(), WalletGrpc.getServiceDescriptor()),
            new Contract(PaymentsProto.getDescriptor(), PaymentsGrpc.getServiceDescriptor()),
            new Contract(EventsProto.getDescriptor(), EventsGrpc.getServiceDescriptor()),
            new Contract(TransfersProto.getDescriptor(), TransfersGrpc.getServiceDescriptor()),
            new Contract(AdminProto.getDescriptor(), AdminGrpc.getServiceDescriptor()));

    /**
     * Method-name prefix (full "service/method" or just "service/") → the capability that brings it. Empty today: every RPC of
     * the contract is served. An RPC added to the .proto before its implementation must be declared here, or the node refuses to
     * start ({@link #capabilityOf} throws while the services are bound), so no RPC can silently answer nothing.
     */
    private static final Map<String, String> CAPABILITY = new LinkedHashMap<>();

    private PlannedServices() {
    }

    /** The capability that will serve {@code fullMethodName}. */
    public static String capabilityOf(String fullMethodName) {
        for (Map.Entry<String, String> e : CAPABILITY.entrySet()) {
            if (fullMethodName.startsWith(e.getKey())) {
                return e.getValue();
            }
        }
        throw new IllegalStateException("no capability declared for " + fullMethodName);
    }

    /** A service whose every RPC answers UNIMPLEMENTED naming its capability. */
    public static BindableService planned(ServiceDescriptor descriptor) {
        ServerServiceDefinition definition = plannedDefinition(descriptor, java.util.Set.of(), null);
        return () -> definition;
    }

    /**
     * A service of which {@code impl} serves the RPCs named in {@code implemented} (full method names);
     * the rest answer UNIMPLEMENTED naming their capability, as in {@link #planned}.
     */
    public static ServerServiceDefinition partial(BindableService impl, java.util.Set<String> implemented) {
        ServerServiceDefinition real = impl.bindService();
        return plannedDefinition(real.getServiceDescriptor(), implemented, real);
    }

    @SuppressWarnings("unchecked")
    private static ServerServiceDefinition plannedDefinition(ServiceDescriptor descriptor, java.util.Set<String> implemented,
                                                             ServerServiceDefinition real) {
        ServerServiceDefinition.Builder b = ServerServiceDefinition.builder(descriptor);
        for (MethodDescriptor<?, ?> m : descriptor.getMethods()) {
            if (implemented.contains(m.getFullMethodName())) {
                b.addMethod((io.grpc.ServerMethodDefinition<Object, Object>) real.getMethod(m.getFullMethodName()));
                continue;
            }
            String capability = capabilityOf(m.getFullMethodName());
            com.google.rpc.Status status = com.google.rpc.Status.newBuilder()
                    .setCode(Status.Code.UNIMPLEMENTED.value())
                    .setMessage(m.getFullMethodName() + " is not available yet: it arrives with " + capability)
                    .addDetails(com.google.protobuf.Any.pack(ErrorInfo.newBuilder().setReason("NOT_IMPLEMENTED")
                            .setDomain(ErrorMapper.DOMAIN).putMetadata("capability", capability).build()))
                    .build();
            b.addMethod((MethodDescriptor<Object, Object>) m, (ServerCall<Object, Object> call, Metadata headers) -> {
                call.request(1);
                // Closed once the request is in, like any unary handler: closing inside startCall would
                // run before the transport has a listener to tell.
                return new ServerCall.Listener<>() {
                    @Override
                    public void onHalfClose() {
                        var e = StatusProto.toStatusRuntimeException(status);
                        call.close(e.getStatus(), e.getTrailers());
                    }
                };
            });
        }
        return b.build();
    }
}
