package io.alstream.connectors.registry.server;

import java.util.ArrayList;
import java.util.List;

import io.alstream.connectors.registry.CompatibilityLevel;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;

/**
 * Applies a {@link CompatibilityLevel} with Avro's own {@link SchemaCompatibility}: BACKWARD asks that
 * the new schema read data of the old (new = reader), FORWARD that the old read data of the new
 * (old = reader), FULL both; the plain levels compare with the latest version, the transitive ones with
 * all of them.
 */
final class CompatibilityChecker {
    private CompatibilityChecker() {
    }

    /** A version the candidate is compared with. */
    record Previous(int version, Schema schema) {
    }

    /**
     * @param previous the subject's live versions, oldest first
     * @return why the candidate breaks the rule; empty when it does not
     */
    static List<String> check(CompatibilityLevel level, Schema candidate, List<Previous> previous) {
        List<String> problems = new ArrayList<>();
        if (level == CompatibilityLevel.NONE || previous.isEmpty()) {
            return problems;
        }
        List<Previous> against = level.transitive() ? previous : List.of(previous.get(previous.size() - 1));
        for (Previous p : against) {
            if (level.newReadsOld()) {
                describe(SchemaCompatibility.checkReaderWriterCompatibility(candidate, p.schema()), level, p.version(),
                        "new schema cannot read data written with version " + p.version(), problems);
            }
            if (level.oldReadsNew()) {
                describe(SchemaCompatibility.checkReaderWriterCompatibility(p.schema(), candidate), level, p.version(),
                        "version " + p.version() + " cannot read data written with the new schema", problems);
            }
        }
        return problems;
    }

    private static void describe(SchemaPairCompatibility result, CompatibilityLevel level, int version, String what,
                                 List<String> out) {
        if (result.getType() == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            return;
        }
        for (Incompatibility i : result.getResult().getIncompatibilities()) {
            out.add(level + ": " + what + ": " + i.getType() + " at " + i.getLocation() + ": " + i.getMessage());
        }
        if (result.getResult().getIncompatibilities().isEmpty()) {
            out.add(level + ": " + what + ": " + result.getDescription());
        }
    }
}
