package io.alstream.flink.io;

import java.io.Serializable;

import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import io.alstream.flink.records.DeadLetterRecord;
import io.alstream.flink.records.ModelUpdateRecord;
import io.alstream.flink.records.RawRecord;
import io.alstream.flink.records.RequestRecord;

/**
 * Where the pipeline reads and writes. Production uses {@link KafkaPipelineIO}; a test can put any
 * source and sink here and run the very same topology on a MiniCluster.
 */
public interface PipelineIO extends Serializable {
    /** Raw records of the events topic (UnlabeledEvent, wire format). */
    DataStream<RawRecord> events(StreamExecutionEnvironment env);

    /** Raw records of the labels topic (ConsolidatedLabel, wire format). */
    DataStream<RawRecord> labels(StreamExecutionEnvironment env);

    /** Raw records of the label-requests topic, read back so the trainer holds pending entries. */
    DataStream<RawRecord> requestFeedback(StreamExecutionEnvironment env);

    void labelRequests(DataStream<RequestRecord> requests);

    void deadLetters(DataStream<DeadLetterRecord> deadLetters);

    void modelUpdates(DataStream<ModelUpdateRecord> updates);
}
