package io.alstream.flink.score;

import org.apache.flink.api.java.functions.KeySelector;

import io.alstream.flink.records.EventRecord;

/**
 * Spreads events over a fixed number of scoring shards by their id. Each shard buffers its own batch
 * and keeps its own budget state as Flink keyed state, so both move with the shard when the job is
 * rescaled.
 */
public final class ScoringShards implements KeySelector<EventRecord, Integer> {
    private static final long serialVersionUID = 1L;
    private final int shards;

    public ScoringShards(int shards) {
        if (shards < 1) {
            throw new IllegalArgumentException("job.scoring-shards must be at least 1, was " + shards);
        }
        this.shards = shards;
    }

    @Override
    public Integer getKey(EventRecord e) {
        return Math.floorMod(e.id.hashCode(), shards);
    }
}
