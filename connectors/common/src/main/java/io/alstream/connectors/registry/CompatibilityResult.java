package io.alstream.connectors.registry;

import java.util.List;

/** Answer of a compatibility check: whether the schema would be accepted, and why not when it would not. */
public record CompatibilityResult(boolean compatible, List<String> messages) {
    public CompatibilityResult {
        messages = List.copyOf(messages);
    }
}
