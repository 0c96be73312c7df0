package io.alstream.connectors.broker.state;

import java.util.ArrayList;
import java.util.List;

/**
 * Answers that arrived before their request, kept (raw, as read) until the request shows up or the
 * grace period ends. Answers written straight to the topic can overtake their request — a crowd
 * platform that reads the requests topic itself, or a broker catching up on both topics after a pause.
 */
public final class ParkedAnswers {
    /** One parked answer: its bytes and where it was read. */
    public static final class Parked {
        private byte[] key;
        private byte[] value;
        private String originTopic;
        private long partition;
        private long offset;
        private long timestamp;

        private Parked() {
        }

        public Parked(byte[] key, byte[] value, String originTopic, long partition, long offset, long timestamp) {
            this.key = key;
            this.value = value;
            this.originTopic = originTopic;
            this.partition = partition;
            this.offset = offset;
            this.timestamp = timestamp;
        }

        public byte[] key() {
            return key;
        }

        public byte[] value() {
            return value;
        }

        public String originTopic() {
            return originTopic;
        }

        public long partition() {
            return partition;
        }

        public long offset() {
            return offset;
        }

        public long timestamp() {
            return timestamp;
        }
    }

    private long firstParkedAt;
    private List<Parked> answers = new ArrayList<>();

    private ParkedAnswers() {
    }

    public ParkedAnswers(long firstParkedAt) {
        this.firstParkedAt = firstParkedAt;
    }

    public long firstParkedAt() {
        return firstParkedAt;
    }

    public List<Parked> answers() {
        return answers;
    }

    public void add(Parked p) {
        answers.add(p);
    }
}
