package io.alstream.flink.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;

import io.alstream.flink.records.EventRecord;

/** Every scoring subtask gets events, whatever the parallelism (issue 9, item 4). */
class ScoringShardsTest {

    @Test
    void shardIGoesToSubtaskIWhenShardsEqualParallelism() {
        for (int maxParallelism : new int[] {128, 200, 4096}) {
            for (int p = 1; p <= 64; p++) {
                ScoringShards shards = new ScoringShards(p, maxParallelism);
                for (int i = 0; i < p; i++) {
                    assertEquals(i, KeyGroupRangeAssignment.assignKeyToParallelOperator(shards.key(i), maxParallelism, p),
                            "shard " + i + " of " + p + " at max parallelism " + maxParallelism);
                }
            }
        }
    }

    @Test
    void moreShardsThanSubtasksAreSpreadEvenly() {
        int maxParallelism = 128;
        for (int p : new int[] {2, 3, 4, 8}) {
            for (int perTask : new int[] {2, 3}) {
                ScoringShards shards = new ScoringShards(p * perTask, maxParallelism);
                int[] load = new int[p];
                for (int i = 0; i < shards.shards(); i++) {
                    load[KeyGroupRangeAssignment.assignKeyToParallelOperator(shards.key(i), maxParallelism, p)]++;
                }
                for (int l : load) {
                    assertEquals(perTask, l, "shards per subtask at parallelism " + p);
                }
            }
        }
    }

    @Test
    void rejectsImpossibleShardCounts() {
        assertThrows(IllegalArgumentException.class, () -> new ScoringShards(0, 128));
        assertThrows(IllegalArgumentException.class, () -> new ScoringShards(129, 128));
    }

    /** On a real MiniCluster at parallelism 4 and 6: each subtask of the keyed operator receives events. */
    @Test
    void everySubtaskReceivesEventsOnAMiniCluster() throws Exception {
        for (int parallelism : new int[] {4, 6}) {
            Map<Integer, Integer> perSubtask = eventsPerSubtask(parallelism, 3000);
            assertEquals(parallelism, perSubtask.size(), "subtasks that got events: " + perSubtask);
            int total = perSubtask.values().stream().mapToInt(Integer::intValue).sum();
            assertEquals(3000, total);
            for (int n : perSubtask.values()) {
                // ids hash evenly over the shards: each subtask gets about 1/p of the events
                assertTrue(n > 3000 / parallelism / 2, "uneven spread " + perSubtask);
            }
        }
    }

    private static Map<Integer, Integer> eventsPerSubtask(int parallelism, int events) throws Exception {
        int maxParallelism = 128;
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(parallelism);
        env.setMaxParallelism(maxParallelism);
        List<EventRecord> input = new ArrayList<>();
        for (int i = 0; i < events; i++) {
            EventRecord e = new EventRecord();
            e.id = "event-" + i;
            e.features = new float[] {i};
            input.add(e);
        }
        List<Integer> seenBy = new ArrayList<>();
        try (CloseableIterator<Integer> it = env.fromData(input, TypeInformation.of(EventRecord.class))
                .keyBy(new ScoringShards(parallelism, maxParallelism), Types.INT)
                .process(new KeyedProcessFunction<Integer, EventRecord, Integer>() {
                    @Override
                    public void processElement(EventRecord e, Context ctx, Collector<Integer> out) {
                        out.collect(getRuntimeContext().getTaskInfo().getIndexOfThisSubtask());
                    }
                })
                .returns(Types.INT)
                .executeAndCollect()) {
            it.forEachRemaining(seenBy::add);
        }
        Map<Integer, Integer> counts = new TreeMap<>();
        for (int s : seenBy) {
            counts.merge(s, 1, Integer::sum);
        }
        return counts;
    }
}
