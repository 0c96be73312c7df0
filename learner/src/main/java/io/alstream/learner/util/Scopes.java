package io.alstream.learner.util;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;

import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Native-memory discipline for the learner's maths. Every intermediate NDArray created inside
 * {@link #run} is closed when it returns; the result survives and is handed to the caller's own
 * {@link NDScope} (DJL registers arrays only in the innermost scope), so nested helpers never leak.
 * Long-lived state unregisters what it keeps and attaches it to its manager.
 */
public final class Scopes {
    private Scopes() { }

    /** Runs body in a fresh scope; the returned array (which must be a new array) outlives it. */
    public static NDArray run(Supplier<NDArray> body) {
        NDArray result;
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            result = body.get();
            NDScope.unregister(result);
        }
        NDScope.register(result);
        return result;
    }

    /** As {@link #run(Supplier)} for a result made of several arrays. */
    public static <T> T run(Supplier<T> body, Function<T, List<NDArray>> arraysOf) {
        T result;
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            result = body.get();
            for (NDArray a : arraysOf.apply(result)) {
                NDScope.unregister(a);
            }
        }
        for (NDArray a : arraysOf.apply(result)) {
            NDScope.register(a);
        }
        return result;
    }

    /** Takes arrays out of the current scope: the caller now owns them. */
    public static void keep(NDArray... arrays) {
        for (NDArray a : arrays) {
            if (a != null) {
                NDScope.unregister(a);
            }
        }
    }
}
