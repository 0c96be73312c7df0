package io.alstream.flink.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.WebOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.runtime.checkpoint.AbstractCheckpointStats;
import org.apache.flink.runtime.checkpoint.CheckpointStatsStatus;
import org.apache.flink.runtime.executiongraph.ArchivedExecutionGraph;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.alstream.flink.records.ModelBroadcast;
import io.alstream.flink.records.TrainerInput;
import io.alstream.learner.LearnerConfig;
import io.alstream.learner.util.SplitMix64;

/**
 * The trainer on a real MiniCluster (its operator in a real task: the key set before restore, keyed state written at
 * real checkpoints): labels stream in, checkpoints complete as they do, and Flink's own checkpoint statistics say what
 * each one uploaded against the full state; the last holds every kept label.
 *
 * <p>Small and on the heap backend by default (CI). With {@code -Dalstream.trainer-state.backend=rocksdb} (and
 * incremental checkpoints, the default) it also asserts that the typical late checkpoint uploads what changed, not every
 * kept label; sizes with {@code -Dalstream.trainer-state.kept=100000 -Dalstream.trainer-state.dim=784}
 * (bench/results/trainer-state/). RocksDB needs frocksdbjni alone on the class path: Kafka Streams' rocksdbjni (same
 * org.rocksdb classes) made every RocksDB checkpoint fail, so flink-job excludes it.
 */
class TrainerCheckpointSizeTest {

    @Test
    void lateCheckpointsUploadWhatChangedNotEveryKeptLabel(@TempDir Path dir) throws Exception {
        int kept = Integer.getInteger("alstream.trainer-state.kept", 8_000);
        int dim = Integer.getInteger("alstream.trainer-state.dim", 128);
        int cap = Integer.getInteger("alstream.trainer-state.cap", 256);
        int hidden = Integer.getInteger("alstream.trainer-state.hidden", 16);
        long intervalMs = Long.getLong("alstream.trainer-state.interval-ms", 300);
        String backend = System.getProperty("alstream.trainer-state.backend", "hashmap");
        boolean incremental = Boolean.parseBoolean(System.getProperty("alstream.trainer-state.incremental", "true"));
        LearnerConfig cfg = LearnerConfig.builder().inputDim(dim).numClasses(10).hiddenWidths(hidden).ridgeLambda(1e-2)
                .warmupLabels(64).kernelCap(cap).refreshGrowth(0).trainEpochs(1).trainSteps(1).batchSize(32)
                .maxTrainingLabels(kept).referencePoolSize(8)
                .acquisitionFunctions(List.of("entropy")).selectBy("entropy").build();

        Configuration cluster = new Configuration();
        cluster.set(WebOptions.CHECKPOINTS_HISTORY_SIZE, 100_000);
        cluster.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, dir.resolve("checkpoints").toUri().toString());
        MiniCluster mini = new MiniCluster(new MiniClusterConfiguration.Builder().setConfiguration(cluster)
                .setNumTaskManagers(1).setNumSlotsPerTaskManager(2).build());
        mini.start();
        try {
            Configuration job = new Configuration();
            job.set(StateBackendOptions.STATE_BACKEND, backend);
            job.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, incremental);
            String threads = System.getProperty("alstream.trainer-state.transfer-threads");
            if (threads != null) {
                job.setString("state.backend.rocksdb.checkpoint.transfer.thread.num", threads);
            }
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            env.configure(job);
            env.setParallelism(1);
            job.setString("restart-strategy.type", "none"); // a failed checkpoint fails the test, not a silent retry
            job.setString("execution.checkpointing.tolerable-failed-checkpoints", "0");
            env.configure(job);
            env.enableCheckpointing(intervalMs, CheckpointingMode.EXACTLY_ONCE);
            env.getCheckpointConfig().setCheckpointTimeout(Duration.ofMinutes(5).toMillis());
            env.fromSequence(0, kept - 1)
                    .map(i -> label(i, dim)).returns(TypeInformation.of(TrainerInput.class)).name("labels")
                    .keyBy(t -> TrainerFunction.KEY, TypeInformation.of(Byte.class))
                    .transform("trainer", TypeInformation.of(ModelBroadcast.class),
                            new TrainerOperator(new TrainerFunction(cfg, 1_000, 0.98, null, "size", 5_000)))
                    .setMaxParallelism(1).uid("trainer")
                    .sinkTo(new DiscardingSink<>());
            JobGraph graph = env.getStreamGraph().getJobGraph();
            JobID id = mini.submitJob(graph).get(1, TimeUnit.MINUTES).getJobID();
            JobResult result = mini.requestJobResult(id).get(Long.getLong("alstream.trainer-state.timeout-min", 10), TimeUnit.MINUTES);
            assertTrue(result.isSuccess(), "the job failed: " + result.getSerializedThrowable());
            ArchivedExecutionGraph g = mini.getArchivedExecutionGraph(id).get(1, TimeUnit.MINUTES);

            List<AbstractCheckpointStats> done = new ArrayList<>();
            for (AbstractCheckpointStats c : g.getCheckpointStatsSnapshot().getHistory().getCheckpoints()) {
                if (c.getStatus() == CheckpointStatsStatus.COMPLETED) {
                    done.add(c);
                }
            }
            done.sort((a, b) -> Long.compare(a.getCheckpointId(), b.getCheckpointId()));
            assertTrue(done.size() >= 4, "checkpoints completed while the labels streamed: " + done.size());
            long fullLast = done.get(done.size() - 1).getStateSize();
            StringBuilder csv = new StringBuilder("checkpoint,state_bytes,checkpointed_bytes\n");
            long lateMax = 0;
            int late = 0;
            List<Long> lateUploads = new ArrayList<>();
            for (AbstractCheckpointStats c : done) {
                csv.append(c.getCheckpointId()).append(',').append(c.getStateSize()).append(',').append(c.getCheckpointedSize()).append('\n');
                if (c.getStateSize() >= fullLast * 3 / 4) { // the late checkpoints: most labels kept by then
                    lateMax = Math.max(lateMax, c.getCheckpointedSize());
                    lateUploads.add(c.getCheckpointedSize());
                    late++;
                }
            }
            lateUploads.sort(null);
            long lateMedian = lateUploads.isEmpty() ? 0 : lateUploads.get(lateUploads.size() / 2);
            String summary = String.format(Locale.ROOT, "trainer with %d kept labels x %d (|T| cap %d, hidden %d), %s%s,"
                            + " checkpoint every %d ms: %d checkpoints; full state at the end %.1f MB; largest upload of the %d checkpoints"
                            + " holding >= 3/4 of it: %.1f MB (median %.1f MB)", kept, dim, cap, hidden, backend,
                    backend.equals("rocksdb") && incremental ? " incremental" : "", intervalMs, done.size(), fullLast / 1e6, late,
                    lateMax / 1e6, lateMedian / 1e6);
            System.out.println(summary);
            String out = System.getProperty("alstream.trainer-state.out");
            if (out != null) {
                Files.createDirectories(Path.of(out));
                Files.writeString(Path.of(out, "checkpoints.csv"), csv);
                Files.writeString(Path.of(out, "summary.txt"), summary + "\n");
            }
            long keptBytes = (long) kept * (4L * dim + 4);
            assertTrue(fullLast >= keptBytes, "every kept label is in the final checkpoint: " + fullLast + " < " + keptBytes);
            assertTrue(late >= 2, "several checkpoints late in the stream: " + late);
            if (backend.equals("rocksdb") && incremental) {
                // the typical one: a RocksDB compaction now and then rewrites files, and the checkpoint after it uploads
                // them (at this small size, every file: the largest upload can be the whole state)
                assertTrue(lateMedian < fullLast / 2, "a late checkpoint uploads what changed, not the whole state: median "
                        + lateMedian + " of " + fullLast + " bytes\n" + csv);
            }
            assertEquals(CheckpointStatsStatus.COMPLETED, done.get(done.size() - 1).getStatus());
        } finally {
            mini.close();
        }
    }

    static TrainerInput label(long i, int dim) {
        SplitMix64 rng = new SplitMix64(i * 31 + 7);
        TrainerInput t = new TrainerInput();
        t.kind = TrainerInput.Kind.LABEL;
        t.eventId = "e" + i;
        t.features = new float[dim];
        for (int j = 0; j < dim; j++) {
            t.features[j] = (float) rng.nextGaussian();
        }
        t.label = (int) (i % 10);
        t.at = System.currentTimeMillis();
        return t;
    }
}
