package io.alstream.flink.train;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;

import io.alstream.learner.LearnerConfig;
import io.alstream.learner.ModelSnapshot;
import io.alstream.learner.ReferencePool;
import io.alstream.learner.selection.SelectionPolicies;
import io.alstream.learner.selection.SelectionPolicy;

/**
 * The one place where the job turns learner objects into the bytes Flink keeps in state and moves
 * between tasks. Flink sees only byte arrays, so its serializers never depend on learner classes.
 */
public final class LearnerBridge {
    private LearnerBridge() {
    }

    public static ReferencePool newPool(LearnerConfig cfg, int task) {
        return new ReferencePool(cfg.referencePoolSize(), cfg.seed() * 31 + task);
    }

    public static SelectionPolicy newPolicy(LearnerConfig cfg) {
        return SelectionPolicies.fromConfig(cfg);
    }

    /** The pool's own versioned format ({@link ReferencePool#toBytes()}), the vectors in bulk. */
    public static byte[] poolToBytes(ReferencePool p) {
        return p.toBytes();
    }

    /** Reads {@link #poolToBytes}, and the Java-serialized pools that checkpoints before it hold. */
    public static ReferencePool poolFromBytes(byte[] b) {
        if (b.length >= 2 && (b[0] & 0xFF) == 0xAC && (b[1] & 0xFF) == 0xED) { // java.io serialization's stream magic
            return (ReferencePool) fromJavaBytes(b);
        }
        return ReferencePool.fromBytes(b);
    }

    public static byte[] policyToBytes(SelectionPolicy p) {
        return javaBytes((Serializable) p);
    }

    public static SelectionPolicy policyFromBytes(byte[] b) {
        return (SelectionPolicy) fromJavaBytes(b);
    }

    public static byte[] snapshotToBytes(ModelSnapshot s) {
        return s.toBytes();
    }

    public static ModelSnapshot snapshotFromBytes(byte[] b) {
        return ModelSnapshot.fromBytes(b);
    }

    /** A number in [0, 1) from an event id and a seed: random, but the same every time for the same id. */
    public static double uniformFromId(String id, long seed) {
        long h = seed ^ 0x9E3779B97F4A7C15L;
        for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ b) * 0x100000001B3L;
        }
        // SplitMix64 finaliser spreads the FNV hash over all 64 bits
        h = (h ^ (h >>> 30)) * 0xBF58476D1CE4E5B9L;
        h = (h ^ (h >>> 27)) * 0x94D049BB133111EBL;
        h ^= h >>> 31;
        return (h >>> 11) * 0x1.0p-53;
    }

    static byte[] javaBytes(Serializable o) {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bos)) {
            out.writeObject(o);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialize " + o.getClass().getName(), e);
        }
        return bos.toByteArray();
    }

    static Object fromJavaBytes(byte[] b) {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(b)) {
            @Override
            protected Class<?> resolveClass(java.io.ObjectStreamClass desc) throws IOException, ClassNotFoundException {
                // Flink loads user code in its own class loader: resolve against ours, not the JDK's default.
                return Class.forName(desc.getName(), false, LearnerBridge.class.getClassLoader());
            }
        }) {
            return in.readObject();
        } catch (IOException | ClassNotFoundException e) {
            throw new IllegalStateException("cannot deserialize learner state", e);
        }
    }
}
