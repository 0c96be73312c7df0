package io.alstream.flink.io;

import java.io.Serializable;

import org.apache.avro.specific.SpecificRecord;

/** Turns a record into value bytes for a topic; production writes the Confluent wire format. */
public interface RecordEncoder<T extends SpecificRecord> extends Serializable {
    /** Called once per task before the first encode. */
    void open() throws Exception;

    byte[] encode(String topic, T record);

    /** Makes encoders for the sinks. */
    interface Factory extends Serializable {
        <T extends SpecificRecord> RecordEncoder<T> encoder(Class<T> type);
    }
}
