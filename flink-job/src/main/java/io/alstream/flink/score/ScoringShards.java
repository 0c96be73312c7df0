package io.alstream.flink.score;

import java.util.Arrays;

import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;

import io.alstream.flink.records.EventRecord;

/**
 * Spreads events over scoring shards by their id. Each shard buffers its own batch and keeps its own budget
 * state as Flink keyed state, so both move with the shard when the job is rescaled.
 *
 * <p>Flink sends a key to the subtask that owns its key group (murmur hash of the key's hash code, modulo the
 * max parallelism). Plain shard numbers 0..n-1 land in whatever key groups their hashes pick, so several shards
 * can share a subtask while others get none (measured before: 4 shards left half of 8 subtasks idle, and at
 * parallelism 4 two shards often met on one subtask). Instead shard i is given a key chosen to fall in the
 * first key group of the i-th of n equal key-group ranges: at parallelism n shard i is scored by subtask i, at
 * parallelism n/k each subtask gets k shards, and after a rescale the shards stay as evenly spread as the key
 * groups allow.
 */
public final class ScoringShards implements KeySelector<EventRecord, Integer> {
    private static final long serialVersionUID = 1L;
    private final int[] keys;

    /**
     * @param shards         how many shards (at most maxParallelism)
     * @param maxParallelism the key groups of the scoring operator (its max parallelism)
     */
    public ScoringShards(int shards, int maxParallelism) {
        if (shards < 1) {
            throw new IllegalArgumentException("job.scoring-shards must be at least 1, was " + shards);
        }
        if (shards > maxParallelism) {
            throw new IllegalArgumentException("job.scoring-shards (" + shards + ") cannot exceed job.max-parallelism ("
                    + maxParallelism + "): two shards would share a key group");
        }
        this.keys = shardKeys(shards, maxParallelism);
    }

    /** The key of each shard: keys[i] falls in key group ceil(i * maxParallelism / shards). */
    static int[] shardKeys(int shards, int maxParallelism) {
        int[] keys = new int[shards];
        int[] firstKeyIn = new int[maxParallelism];
        Arrays.fill(firstKeyIn, -1);
        int missing = maxParallelism;
        // every key group gets a key among the first few thousand integers (murmur spreads them evenly)
        for (int k = 0; missing > 0; k++) {
            int g = KeyGroupRangeAssignment.assignToKeyGroup(k, maxParallelism);
            if (firstKeyIn[g] < 0) {
                firstKeyIn[g] = k;
                missing--;
            }
        }
        for (int i = 0; i < shards; i++) {
            int group = (int) (((long) i * maxParallelism + shards - 1) / shards);
            keys[i] = firstKeyIn[group];
        }
        return keys;
    }

    public int shards() {
        return keys.length;
    }

    /** The key of shard i. */
    public int key(int shard) {
        return keys[shard];
    }

    @Override
    public Integer getKey(EventRecord e) {
        return keys[Math.floorMod(e.id.hashCode(), keys.length)];
    }
}
