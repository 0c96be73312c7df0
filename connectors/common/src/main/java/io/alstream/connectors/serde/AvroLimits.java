package io.alstream.connectors.serde;

/**
 * Bounds on what a single Avro record may claim, so bytes with a forged length prefix (an array of
 * 2^30 items, say) fail to decode instead of making Avro allocate gigabytes. Avro reads these system
 * properties once, when it first checks a length; unless the JVM was started with its own values
 * ({@code -Dorg.apache.avro.limits...}), the defaults below apply from the first use of this codec.
 */
public final class AvroLimits {
    /** Items in one array or map. A feature vector of this many floats is 40 MB. */
    public static final int DEFAULT_COLLECTION_ITEMS = 10_000_000;
    public static final int DEFAULT_BYTES = 64 * 1024 * 1024;
    public static final int DEFAULT_STRING = 16 * 1024 * 1024;

    private AvroLimits() {
    }

    static {
        setIfAbsent("org.apache.avro.limits.collectionItems.maxLength", DEFAULT_COLLECTION_ITEMS);
        setIfAbsent("org.apache.avro.limits.bytes.maxLength", DEFAULT_BYTES);
        setIfAbsent("org.apache.avro.limits.string.maxLength", DEFAULT_STRING);
    }

    /** Applies the defaults (once; later calls do nothing). */
    public static void ensureDefaults() {
        // the static initialiser did the work
    }

    private static void setIfAbsent(String key, int value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, Integer.toString(value));
        }
    }
}
