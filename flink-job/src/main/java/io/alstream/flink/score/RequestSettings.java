package io.alstream.flink.score;

import java.io.Serializable;
import java.util.List;

/** What the scorer writes into each label request besides the scores. */
public record RequestSettings(int batchSize, long batchMaxDelayMs, long deadlineMs, int redundancy,
                              int numClasses, List<String> classNames, int scoringShards, int coldBacklog) implements Serializable {
}
