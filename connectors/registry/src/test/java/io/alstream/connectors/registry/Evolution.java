package io.alstream.connectors.registry;

import java.util.ArrayList;
import java.util.List;

import org.apache.avro.JsonProperties;
import org.apache.avro.Schema;

/** Schema changes for tests: older versions of our records, and breaking and harmless edits of them. */
public final class Evolution {
    private Evolution() {
    }

    /** A plausible older version: the record without the fields that carry defaults (they were added later). */
    public static Schema withoutDefaultedFields(Schema current) {
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field f : current.getFields()) {
            if (!f.hasDefaultValue()) {
                fields.add(new Schema.Field(f, f.schema()));
            }
        }
        return record(current, fields);
    }

    /** Adds a field without default: new readers cannot read old data (breaks BACKWARD). */
    public static Schema withRequiredField(Schema current) {
        List<Schema.Field> fields = copy(current);
        fields.add(new Schema.Field("addedWithoutDefault", Schema.create(Schema.Type.STRING), "breaking"));
        return record(current, fields);
    }

    /** Adds an optional field with a null default: harmless in every direction. */
    public static Schema withOptionalField(Schema current) {
        List<Schema.Field> fields = copy(current);
        fields.add(new Schema.Field("addedOptional", Schema.createUnion(Schema.create(Schema.Type.NULL),
                Schema.create(Schema.Type.STRING)), "harmless", JsonProperties.NULL_VALUE));
        return record(current, fields);
    }

    /** Turns the first field into a boolean: a type change no resolution rule bridges. */
    public static Schema withFirstFieldRetyped(Schema current) {
        List<Schema.Field> fields = copy(current);
        Schema.Field first = fields.get(0);
        fields.set(0, new Schema.Field(first.name(), Schema.create(Schema.Type.BOOLEAN), first.doc()));
        return record(current, fields);
    }

    public static Schema withoutField(Schema current, String name) {
        List<Schema.Field> fields = copy(current);
        fields.removeIf(f -> f.name().equals(name));
        return record(current, fields);
    }

    /** A record {@code io.alstream.test.<name>} with the given field declarations (JSON objects, comma-separated). */
    public static Schema record(String name, String fieldsJson) {
        return new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"" + name
                + "\",\"namespace\":\"io.alstream.test\",\"fields\":[" + fieldsJson + "]}");
    }

    private static List<Schema.Field> copy(Schema s) {
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field f : s.getFields()) {
            fields.add(new Schema.Field(f, f.schema()));
        }
        return fields;
    }

    private static Schema record(Schema like, List<Schema.Field> fields) {
        return Schema.createRecord(like.getName(), like.getDoc(), like.getNamespace(), false, fields);
    }
}
