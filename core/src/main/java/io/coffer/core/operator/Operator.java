package io.coffer.core.operator;

import java.time.Instant;
import java.util.Set;

/**
 * A named operator.
 *
 * @param name      1 to 32 characters of {@code [a-z0-9._-]}, starting with a letter: the name audit entries give ({@code op:name})
 * @param publicKey the operator's Ed25519 public key (32 bytes); calls are signed with its private half
 * @param createdBy who added it (the operators whose approvals made the quorum, or {@code breakglass})
 * @param disabled  a disabled operator's calls are refused; it stays listed, and its past audit entries keep its name
 */
public record Operator(String name, Set<OperatorRole> roles, byte[] publicKey, Instant createdAt, String createdBy, boolean disabled) {
    public Operator {
        roles = Set.copyOf(roles);
        publicKey = publicKey.clone();
    }

    /** How audit entries and approvals name this operator. */
    public String actor() {
        return actorOf(name);
    }

    public static String actorOf(String name) {
        return "op:" + name;
    }

    public boolean has(OperatorRole role) {
        return !disabled && roles.contains(role);
    }

    @Override
    public byte[] publicKey() {
        return publicKey.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Operator other && name.equals(other.name) && roles.equals(other.roles)
                && java.util.Arrays.equals(publicKey, other.publicKey) && createdAt.equals(other.createdAt)
                && createdBy.equals(other.createdBy) && disabled == other.disabled;
    }

    @Override
    public int hashCode() {
        return name.hashCode();
    }
}
