package io.alstream.flink.records;

/**
 * One Kafka record exactly as read: its position and its bytes, not yet decoded. Decoding happens
 * after the source, so a record that cannot be decoded reaches the dead-letter topic with its
 * provenance instead of failing the source.
 */
public class RawRecord {
    public String topic;
    public int partition;
    public long offset;
    public long timestamp;
    public byte[] key;
    public byte[] value;

    public RawRecord() {
    }

    public RawRecord(String topic, int partition, long offset, long timestamp, byte[] key, byte[] value) {
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.timestamp = timestamp;
        this.key = key;
        this.value = value;
    }

    @Override
    public String toString() {
        return topic + "-" + partition + "@" + offset;
    }
}
