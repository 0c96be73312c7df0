package io.alstream.flink;


import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import io.alstream.flink.config.JobConfig;
import io.alstream.flink.config.JobOptions;
import io.alstream.flink.io.PipelineIO;
import io.alstream.flink.records.DeadLetterRecord;
import io.alstream.flink.records.EventRecord;
import io.alstream.flink.records.LabelRecord;
import io.alstream.flink.records.ModelBroadcast;
import io.alstream.flink.records.RequestRecord;
import io.alstream.flink.records.TrainerInput;
import io.alstream.flink.score.RequestSettings;
import io.alstream.flink.score.ScoringFunction;
import io.alstream.flink.score.ScoringShards;
import io.alstream.flink.train.HeldOutSet;
import io.alstream.flink.train.TrainerFunction;
import io.alstream.flink.train.TrainerOperator;
import io.alstream.flink.validate.DeadLetters;
import io.alstream.flink.validate.DecoderFactory;
import io.alstream.flink.validate.EventValidator;
import io.alstream.flink.validate.LabelValidator;
import io.alstream.flink.validate.PendingFeedback;
import io.alstream.flink.validate.RequestedLabels;
import io.alstream.learner.LearnerConfig;
import io.alstream.schemas.ConsolidatedLabel;
import io.alstream.schemas.LabelRequest;
import io.alstream.schemas.UnlabeledEvent;

/**
 * The topology (DESIGN section 1):
 *
 * <pre>
 * events ──► validate ──► keyBy(shard) ──► score + select ◄── model broadcast ──┐
 *               │                              │                                │
 *               ▼                              ▼                                │
 *          dead letters                 label requests ──(topic)──► pending ──► trainer (p=1) ──► model updates
 * labels ──► validate ──────────────────────────────────────────────────────────┘
 * </pre>
 *
 * Sources and sinks come from {@link PipelineIO}, so the same graph runs on a MiniCluster in tests and
 * on a cluster in production.
 */
public final class AlstreamPipeline {
    private AlstreamPipeline() {
    }

    public static void build(StreamExecutionEnvironment env, JobConfig config, LearnerConfig learner,
                             PipelineIO io, DecoderFactory decoders) {
        int dim = config.get(JobOptions.FEATURE_DIM);
        int classes = config.get(JobOptions.NUM_CLASSES);
        if (learner.inputDim() != dim || learner.numClasses() != classes) {
            throw new IllegalArgumentException("learner config (" + learner.inputDim() + " features, " + learner.numClasses()
                    + " classes) does not match data.feature-dim=" + dim + ", data.num-classes=" + classes);
        }

        // events: validate, then score in shards against the broadcast model
        SingleOutputStreamOperator<EventRecord> events = io.events(env)
                .process(new EventValidator(decoders.decoder(UnlabeledEvent.class), dim))
                .name("validate-events").uid("validate-events");

        // labels and the job's own requests (read back for pending entries) feed the trainer
        SingleOutputStreamOperator<LabelRecord> labels = io.labels(env)
                .process(new LabelValidator(decoders.decoder(ConsolidatedLabel.class), dim, classes))
                .name("validate-labels").uid("validate-labels");
        SingleOutputStreamOperator<TrainerInput> pending = io.requestFeedback(env)
                .process(new PendingFeedback(decoders.decoder(LabelRequest.class), dim))
                .name("pending-feedback").uid("pending-feedback");

        // provenance: only labels of events this job requested go on (unless job.accept-external-labels)
        SingleOutputStreamOperator<TrainerInput> trainerInput = labels
                .map(TrainerInput::label).returns(TypeInformation.of(TrainerInput.class))
                .name("to-trainer").uid("to-trainer")
                .union(pending)
                .keyBy(t -> t.eventId, TypeInformation.of(String.class))
                .process(new RequestedLabels(config.get(JobOptions.ACCEPT_EXTERNAL_LABELS), config.get(JobOptions.REQUEST_DEADLINE_MS),
                        config.get(JobOptions.LABELS_TOPIC)))
                .returns(TypeInformation.of(TrainerInput.class))
                .name("requested-labels").uid("requested-labels");

        String heldOutPath = config.get(JobOptions.HELD_OUT_PATH);
        HeldOutSet heldOut = heldOutPath.isBlank() ? null : HeldOutSet.read(heldOutPath, dim);

        SingleOutputStreamOperator<ModelBroadcast> models = trainerInput
                .keyBy(t -> TrainerFunction.KEY, TypeInformation.of(Byte.class))
                // the trainer's operator sets its one key before restoring, so its keyed state (the kept labels) is
                // readable then; same uid, operator and function as before
                .transform("trainer", TypeInformation.of(ModelBroadcast.class), new TrainerOperator(
                        new TrainerFunction(learner, config.get(JobOptions.MODEL_BROADCAST_INTERVAL_MS),
                                config.get(JobOptions.PREQUENTIAL_DECAY), heldOut, "default",
                                config.get(JobOptions.MODEL_SNAPSHOT_INTERVAL_MS))
                                .heldOutEvery(config.get(JobOptions.HELDOUT_INTERVAL_MS))
                                .batching(config.get(JobOptions.TRAINER_BATCH_SIZE),
                                        config.get(JobOptions.TRAINER_BATCH_MAX_DELAY_MS))))
                .setParallelism(1).setMaxParallelism(1)
                .name("trainer").uid("trainer");

        BroadcastStream<ModelBroadcast> modelBroadcast = models.broadcast(ScoringFunction.MODEL_STATE);
        ScoringShards shards = scoringShards(env, config);
        RequestSettings settings = new RequestSettings(config.get(JobOptions.BATCH_SIZE),
                config.get(JobOptions.BATCH_MAX_DELAY_MS), config.get(JobOptions.REQUEST_DEADLINE_MS),
                config.get(JobOptions.REDUNDANCY), classes, config.classNames(), shards.shards(),
                config.get(JobOptions.COLD_BACKLOG), config.get(JobOptions.REQUEST_ID_SECRET));
        SingleOutputStreamOperator<RequestRecord> requests = events
                .keyBy(shards, TypeInformation.of(Integer.class))
                .connect(modelBroadcast)
                .process(new ScoringFunction(learner, settings))
                .returns(TypeInformation.of(RequestRecord.class))
                .setMaxParallelism(scoringMaxParallelism(env, config))
                .name("score-and-select").uid("score-and-select");

        io.labelRequests(requests);
        io.modelUpdates(models.getSideOutput(TrainerFunction.MODEL_UPDATES));
        DataStream<DeadLetterRecord> deadLetters = events.getSideOutput(DeadLetters.TAG)
                .union(labels.getSideOutput(DeadLetters.TAG), pending.getSideOutput(DeadLetters.TAG),
                        trainerInput.getSideOutput(DeadLetters.TAG));
        io.deadLetters(deadLetters);
    }

    /** The scoring operator's key groups: the environment's max parallelism, else job.max-parallelism. */
    static int scoringMaxParallelism(StreamExecutionEnvironment env, JobConfig config) {
        int configured = env.getConfig().getMaxParallelism();
        return configured > 0 ? configured : config.get(JobOptions.MAX_PARALLELISM);
    }

    /** job.scoring-shards, where 0 means one shard per scoring subtask. */
    static ScoringShards scoringShards(StreamExecutionEnvironment env, JobConfig config) {
        int shards = config.get(JobOptions.SCORING_SHARDS);
        if (shards == 0) {
            shards = env.getParallelism() > 0 ? env.getParallelism() : config.get(JobOptions.PARALLELISM);
        }
        return new ScoringShards(shards, scoringMaxParallelism(env, config));
    }
}
