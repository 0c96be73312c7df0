package io.alstream.flink.validate;

import java.io.Serializable;

import org.apache.avro.specific.SpecificRecord;

/** Makes the decoders the validation steps use; production decodes the Confluent wire format via the registry. */
public interface DecoderFactory extends Serializable {
    <T extends SpecificRecord> RecordDecoder<T> decoder(Class<T> type);
}
