package io.alstream.connectors.registry;

import java.util.Locale;

/**
 * The compatibility rules of the Confluent Schema Registry API. BACKWARD: a consumer on the new schema
 * reads data written with the old one; FORWARD: the reverse; FULL: both. The plain forms compare with
 * the latest registered version, the {@code _TRANSITIVE} forms with every earlier version.
 */
public enum CompatibilityLevel {
    NONE(false, false, false),
    BACKWARD(true, false, false),
    BACKWARD_TRANSITIVE(true, false, true),
    FORWARD(false, true, false),
    FORWARD_TRANSITIVE(false, true, true),
    FULL(true, true, false),
    FULL_TRANSITIVE(true, true, true);

    private final boolean newReadsOld;
    private final boolean oldReadsNew;
    private final boolean transitive;

    CompatibilityLevel(boolean newReadsOld, boolean oldReadsNew, boolean transitive) {
        this.newReadsOld = newReadsOld;
        this.oldReadsNew = oldReadsNew;
        this.transitive = transitive;
    }

    /** Whether the new schema, as reader, must read data written with the older ones. */
    public boolean newReadsOld() {
        return newReadsOld;
    }

    /** Whether the older schemas, as readers, must read data written with the new one. */
    public boolean oldReadsNew() {
        return oldReadsNew;
    }

    /** Whether every earlier version counts, not only the latest. */
    public boolean transitive() {
        return transitive;
    }

    /** Parses a level name as the REST API spells it, in any case. */
    public static CompatibilityLevel parse(String name) {
        if (name == null) {
            throw new IllegalArgumentException("compatibility level missing");
        }
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown compatibility level '" + name
                    + "'; one of NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE");
        }
    }
}
