package io.alstream.connectors;

/**
 * Default topic names (DESIGN section 3). Every name is configurable where it is used; these are the
 * defaults. Keys are the event id (the request id on the answers topic); values are Avro in the
 * Confluent wire format, subject {@code <topic>-value}.
 */
public final class Topics {
    /** UnlabeledEvent: the stream to score. */
    public static final String EVENTS = "alstream.events.v1";
    /** LabelRequest: events selected for labelling. */
    public static final String LABEL_REQUESTS = "alstream.label-requests.v1";
    /** LabelAnswer: one record per worker answer. */
    public static final String LABEL_ANSWERS = "alstream.label-answers.v1";
    /** ConsolidatedLabel: aggregated answers, folded by the trainer. */
    public static final String LABELS = "alstream.labels.v1";
    /** ModelUpdate: one record per model version, for dashboards. */
    public static final String MODEL_UPDATES = "alstream.model-updates.v1";
    /** DeadLetter: input that could not be processed, with the reason. */
    public static final String DEAD_LETTER = "alstream.dead-letter.v1";
    /** Schemas of the Confluent-compatible registry (compacted). */
    public static final String SCHEMAS = "_schemas";

    private Topics() {
    }

    /** The registry subject of a topic's values (TopicNameStrategy). */
    public static String valueSubject(String topic) {
        return topic + "-value";
    }

    /** The registry subject of a topic's keys. */
    public static String keySubject(String topic) {
        return topic + "-key";
    }
}
