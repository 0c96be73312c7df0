package io.alstream.flink;

import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import io.alstream.flink.config.JobConfig;
import io.alstream.flink.config.JobOptions;
import io.alstream.flink.io.KafkaPipelineIO;
import io.alstream.flink.io.RegistryCodecs;
import io.alstream.flink.records.EventRecord;
import io.alstream.flink.validate.DeadLetters;
import io.alstream.flink.validate.EventValidator;
import io.alstream.schemas.UnlabeledEvent;

/**
 * The yardstick of the cluster benchmark: the alstream job's input and output path without the learning. The
 * same Kafka source, the same decoding and validation through the registry (dead letters included), and an
 * exactly-once Kafka sink writing every valid event back, re-encoded, to {@code <events topic>.passthrough}; no
 * scoring, no trainer. Same arguments, same checkpointing and Flink settings as {@link AlstreamJob}:
 * <pre>flink run -c io.alstream.flink.PassthroughJob alstream-flink-job-*-job.jar --config alstream.properties</pre>
 */
public final class PassthroughJob {
    public static final String JOB_NAME = "alstream-passthrough";

    private PassthroughJob() {
    }

    public static void main(String[] args) throws Exception {
        JobConfig config = AlstreamJob.parseArgs(args);
        RegistryCodecs codecs = RegistryCodecs.from(config);
        KafkaPipelineIO io = new KafkaPipelineIO(config, codecs);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        new AlstreamJob(config, io, codecs).configure(env);
        build(env, config, io, codecs);
        env.execute(JOB_NAME);
    }

    static void build(StreamExecutionEnvironment env, JobConfig config, KafkaPipelineIO io, RegistryCodecs codecs) {
        SingleOutputStreamOperator<EventRecord> events = io.events(env)
                .process(new EventValidator(codecs.decoder(UnlabeledEvent.class), config.get(JobOptions.FEATURE_DIM)))
                .name("validate-events").uid("validate-events");
        io.passthrough(events);
        io.deadLetters(events.getSideOutput(DeadLetters.TAG));
    }
}
