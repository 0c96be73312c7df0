package io.alstream.flink.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.alstream.connectors.broker.LabelBrokerOptions;

/**
 * The label broker reads the job's properties file (`alstream broker --config`): the keys it shares with
 * the job must be the job's own, and one file must give both the same topics. A renamed key on either
 * side fails here instead of silently splitting the loop.
 */
class BrokerReadsTheJobsKeysTest {
    @Test
    void sharedKeysAreTheJobsKeys() {
        assertEquals(JobOptions.BOOTSTRAP_SERVERS.key(), LabelBrokerOptions.BOOTSTRAP_SERVERS);
        assertEquals(JobOptions.REGISTRY_URL.key(), LabelBrokerOptions.REGISTRY_URL);
        assertEquals(JobOptions.REGISTRY_BASIC_AUTH.key(), LabelBrokerOptions.REGISTRY_BASIC_AUTH);
        assertEquals(JobOptions.REQUESTS_TOPIC.key(), LabelBrokerOptions.REQUESTS_TOPIC);
        assertEquals(JobOptions.LABELS_TOPIC.key(), LabelBrokerOptions.LABELS_TOPIC);
        assertEquals(JobOptions.DEAD_LETTER_TOPIC.key(), LabelBrokerOptions.DEAD_LETTER_TOPIC);
        assertEquals(JobConfig.KAFKA_CLIENT_PREFIX, LabelBrokerOptions.KAFKA_CLIENT_PREFIX);
        assertEquals(JobConfig.REGISTRY_CLIENT_PREFIX, LabelBrokerOptions.REGISTRY_CLIENT_PREFIX);
    }

    @Test
    void oneFileGivesTheJobAndTheBrokerTheSameTopicsAndDefaults() {
        Map<String, String> file = Map.of("data.feature-dim", "4", "data.num-classes", "3",
                "topic.label-requests", "renamed.requests", "topic.labels", "renamed.labels",
                "kafka.client.security.protocol", "SSL");
        JobConfig job = JobConfig.of(file);
        LabelBrokerOptions broker = LabelBrokerOptions.fromSettings(file);
        assertEquals(job.get(JobOptions.REQUESTS_TOPIC), broker.config().requestsTopic(), "the job writes where the broker reads");
        assertEquals(job.get(JobOptions.LABELS_TOPIC), broker.config().labelsTopic(), "the broker writes where the job reads");
        assertEquals(job.get(JobOptions.DEAD_LETTER_TOPIC), broker.config().deadLetterTopic());
        assertEquals(job.get(JobOptions.BOOTSTRAP_SERVERS), broker.bootstrapServers());
        assertEquals(job.get(JobOptions.REGISTRY_URL), broker.registryUrl());
        assertEquals(job.kafkaClientSettings(), broker.kafkaProperties());
    }
}
