package io.coffer.api.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.rpc.ErrorInfo;
import io.coffer.core.error.CofferException;
import io.coffer.core.error.ErrorKind;
import io.coffer.core.store.StoreException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

class ErrorMapperTest {

    @Test
    void everyDomainKindHasItsOwnCode() {
        for (ErrorKind k : ErrorKind.values()) {
            Status.Code code = ErrorMapper.code(new CofferException(k, "X", "m"));
            assertEquals(k.name(), code.name(), "kinds are named after the status they map to");
        }
    }

    @Test
    void aDomainErrorCarriesItsCodeFieldAndDetails() throws Exception {
        CofferException e = new CofferException(ErrorKind.FAILED_PRECONDITION, "INSUFFICIENT_FUNDS", "amount",
                "amount: 5 more needed", Map.of("missing", "5"), null);
        StatusRuntimeException s = ErrorMapper.toStatus(e);
        assertEquals(Status.Code.FAILED_PRECONDITION, s.getStatus().getCode());
        assertEquals("amount: 5 more needed", s.getStatus().getDescription());
        ErrorInfo info = StatusProto.fromThrowable(s).getDetails(0).unpack(ErrorInfo.class);
        assertEquals("INSUFFICIENT_FUNDS", info.getReason());
        assertEquals("coffer", info.getDomain());
        assertEquals("amount", info.getMetadataOrThrow("field"));
        assertEquals("5", info.getMetadataOrThrow("missing"));
    }

    @Test
    void unexpectedErrorsReachTheClientAsInternalWithoutInternals() throws Exception {
        Logger log = Logger.getLogger(ErrorMapper.class.getName());
        StringBuilder logged = new StringBuilder();
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord r) {
                logged.append(r.getMessage()).append(r.getThrown());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        log.addHandler(h);
        try {
            for (RuntimeException boom : new RuntimeException[] {
                new NullPointerException("secret path /var/lib/coffer/seed"),
                new StoreException("corrupt key in /var/lib/coffer/db")}) {
                StatusRuntimeException s = ErrorMapper.toStatus(boom);
                assertEquals(Status.Code.INTERNAL, s.getStatus().getCode());
                String d = s.getStatus().getDescription();
                assertTrue(d.startsWith("internal error (incident "), d);
                assertFalse(d.contains("/var/lib") || d.contains("NullPointer") || d.contains("Store"), d);
                String incident = StatusProto.fromThrowable(s).getDetails(0).unpack(ErrorInfo.class).getMetadataOrThrow("incident");
                assertTrue(logged.toString().contains(incident), "the log has the incident id to find the details");
            }
            assertTrue(logged.toString().contains("/var/lib/coffer/seed"), "the details stay in the server log");
        } finally {
            log.removeHandler(h);
        }
    }

    @Test
    void messagesQuotingClientInputAreHeaderSafeAndBounded() throws Exception {
        StatusRuntimeException e = ErrorMapper.toStatus(CofferException.invalid("asset", "ASSET_UNKNOWN",
                "unknown asset 'x\u0000\u202e\u00e9\uD83D\uDE42" + "y".repeat(10_000) + "'"));
        String message = e.getStatus().getDescription();
        assertTrue(message.startsWith("asset: unknown asset 'x?????y"), message);
        assertEquals(300, message.length());
        assertTrue(message.endsWith("..."));
        assertTrue(message.chars().allMatch(c -> c >= 0x20 && c < 0x7f));
        assertEquals("asset", StatusProto.fromThrowable(e).getDetails(0).unpack(ErrorInfo.class).getMetadataOrThrow("field"));
        assertEquals("short and plain", ErrorMapper.headerSafe("short and plain"));
    }

    @org.junit.jupiter.api.Test
    void aWriteToAGoneClientIsNotAnErrorOfTheNode() {
        org.junit.jupiter.api.Assertions.assertTrue(ErrorMapper.clientGone(new java.io.UncheckedIOException(
                new java.nio.channels.ClosedChannelException())), "what Helidon throws writing to a closed connection");
        org.junit.jupiter.api.Assertions.assertTrue(ErrorMapper.clientGone(new RuntimeException(new java.io.IOException("Broken pipe"))));
        org.junit.jupiter.api.Assertions.assertTrue(ErrorMapper.clientGone(io.grpc.Status.CANCELLED.asRuntimeException()));
        org.junit.jupiter.api.Assertions.assertFalse(ErrorMapper.clientGone(new IllegalStateException("a bug")));
        org.junit.jupiter.api.Assertions.assertFalse(ErrorMapper.clientGone(new java.io.UncheckedIOException(new java.io.IOException("disk full"))));
    }
}
