package io.coffer.api.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coffer.core.operator.OperatorRole;
import io.coffer.proto.v1.AdminGrpc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Every Admin RPC has a rule, and the README's "Operators and roles" table says exactly what the rules say. */
class AdminAccessTest {
    @Test
    void everyAdminRpcHasARule() {
        for (var m : AdminGrpc.getServiceDescriptor().getMethods()) {
            assertTrue(AdminAccess.rule(m.getFullMethodName()).isPresent(), "no role rule for " + m.getFullMethodName());
        }
        assertEquals(AdminGrpc.getServiceDescriptor().getMethods().size(), AdminAccess.all().size(), "a rule for an RPC that is not there");
    }

    @Test
    void theReadmeTableIsTheRules() throws Exception {
        List<String> lines = Files.readAllLines(Path.of("..").toAbsolutePath().normalize().resolve("README.md"));
        int header = lines.indexOf("| Admin RPC | custodian | admin | approver | auditor | second factor |");
        assertTrue(header >= 0, "the README has the table");
        Map<String, String> readme = new LinkedHashMap<>();
        for (int i = header + 2; i < lines.size() && lines.get(i).startsWith("| `"); i++) {
            String[] cells = lines.get(i).split("\\|");
            readme.put(cells[1].trim().replace("`", ""), lines.get(i));
        }
        Map<String, String> rules = new LinkedHashMap<>();
        List<String> roles = new ArrayList<>();
        for (OperatorRole r : List.of(OperatorRole.CUSTODIAN, OperatorRole.ADMIN, OperatorRole.APPROVER, OperatorRole.AUDITOR)) {
            roles.add(r.name());
        }
        AdminAccess.all().forEach((method, rule) -> {
            String name = method.substring(method.indexOf('/') + 1);
            String cells = roles.stream().map(r -> rule.roles().isEmpty() || rule.allows(Set.of(OperatorRole.valueOf(r))) ? "yes" : "—")
                    .collect(Collectors.joining(" | "));
            rules.put(name, "| `" + name + "` | " + cells + " | " + (rule.totp() ? "TOTP" : "—") + " |");
        });
        assertEquals(String.join("\n", rules.values()), String.join("\n", readme.values()));
    }
}
