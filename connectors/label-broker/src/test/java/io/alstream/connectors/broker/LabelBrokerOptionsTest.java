package io.alstream.connectors.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.alstream.connectors.broker.aggregation.AggregationMethod;
import io.alstream.connectors.Topics;
import io.alstream.connectors.registry.RegistryClientConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabelBrokerOptionsTest {
    @Test
    void optionsBecomeTheBrokerConfig() {
        BrokerConfig c = new LabelBrokerOptions("k:9092", "http://r:8081")
                .method("one-coin-ds").minAnswers(2).maxAnswers(4).agreement(0.8).noAgreement("close-unlabelled")
                .leaseDuration(Duration.ofSeconds(90)).priorAccuracy(0.8).priorStrength(2)
                .requestsTopic("in").labelsTopic("out").applicationId("b1").pageImage("28x28")
                .config();
        assertEquals(AggregationMethod.ONE_COIN_DS, c.method());
        assertEquals(2, c.minAnswers());
        assertEquals(4, c.maxAnswers());
        assertEquals(0.8, c.agreement());
        assertEquals(BrokerConfig.NoAgreementPolicy.CLOSE_UNLABELLED, c.noAgreement());
        assertEquals(Duration.ofSeconds(90), c.leaseDuration());
        assertEquals(0.8, c.workerPrior().accuracy());
        assertEquals(2.0, c.workerPrior().strength());
        assertEquals("in", c.requestsTopic());
        assertEquals("out", c.labelsTopic());
        assertEquals("b1.commands", c.commandsTopic());
        assertEquals(new BrokerConfig.ImageShape(28, 28), c.pageImage());
        assertEquals(null, new LabelBrokerOptions("k", "r").config().pageImage(), "no images unless asked");
        BrokerConfig d = new LabelBrokerOptions("k", "r").config();
        assertFalse(d.acceptUnleasedHttpAnswers(), "unleased HTTP answers are refused unless allowed");
        assertEquals(Duration.ofSeconds(20), d.deliveryLease());
        BrokerConfig r = new LabelBrokerOptions("k", "r").acceptUnleasedHttpAnswers(true).deliveryLease(Duration.ofSeconds(5))
                .workerIdleAfter(Duration.ofMinutes(1)).config();
        assertTrue(r.acceptUnleasedHttpAnswers());
        assertEquals(Duration.ofSeconds(5), r.deliveryLease());
        assertEquals(Duration.ofMinutes(1), r.workerIdleAfter());
    }

    @Test
    void nonsenseIsRefusedAtStart() {
        assertThrows(IllegalArgumentException.class, () -> new LabelBrokerOptions("k", "r").minAnswers(3).maxAnswers(2).config());
        assertThrows(IllegalArgumentException.class, () -> new LabelBrokerOptions("k", "r").agreement(1.5).config());
        assertThrows(IllegalArgumentException.class, () -> new LabelBrokerOptions("k", "r").method("voting"));
        assertThrows(IllegalArgumentException.class, () -> new LabelBrokerOptions("k", "r").tokens(), "no tokens at all");
    }

    @Test
    void theImageShapeOptionIsParsedAndChecked() {
        assertEquals(new BrokerConfig.ImageShape(28, 28), BrokerConfig.ImageShape.parse("28x28"));
        assertEquals(new BrokerConfig.ImageShape(8, 4), BrokerConfig.ImageShape.parse(" 8×4 "));
        assertEquals(null, BrokerConfig.ImageShape.parse(""));
        for (String bad : List.of("28", "28x", "x28", "0x5", "axb", "28x28x3")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> BrokerConfig.ImageShape.parse(bad), bad);
            assertFalse(e.getMessage().isBlank());
        }
    }

    @TempDir
    Path dir;

    @Test
    void theJobsPropertiesFileConfiguresTheBrokerUnderTheJobsKeys() throws Exception {
        Path file = dir.resolve("alstream.properties");
        Files.writeString(file, String.join("\n",
                "# the job's file, with renamed topics",
                "kafka.bootstrap-servers=kafka-1:9092,kafka-2:9092",
                "registry.url=http://registry:8081",
                "registry.basic-auth=alice:s3cret",
                "topic.label-requests=prod.requests",
                "topic.labels=prod.labels",
                "topic.dead-letter=prod.dead",
                "topic.events=prod.events",
                "kafka.client.security.protocol=SASL_SSL",
                "registry.client.schema.registry.request.timeout.ms=1500",
                "data.feature-dim=64",
                "job.parallelism=2",
                "learner.budget=0.1",
                "topic.label-answers=prod.answers",
                "broker.http-host=0.0.0.0",
                "broker.http-port=9099",
                "broker.application-id=prod-broker",
                ""));
        LabelBrokerOptions o = LabelBrokerOptions.fromFile(file);
        assertEquals("kafka-1:9092,kafka-2:9092", o.bootstrapServers());
        assertEquals("http://registry:8081", o.registryUrl());
        BrokerConfig c = o.config();
        assertEquals("prod.requests", c.requestsTopic());
        assertEquals("prod.labels", c.labelsTopic());
        assertEquals("prod.dead", c.deadLetterTopic());
        assertEquals("prod.answers", c.answersTopic());
        assertEquals("prod-broker", c.applicationId());
        assertEquals("0.0.0.0", o.httpHost());
        assertEquals(9099, o.httpPort());
        assertEquals(Map.of("security.protocol", "SASL_SSL"), o.kafkaProperties(), "kafka.client.* only, prefix removed");
        Map<String, String> registry = o.registryClientSettings();
        assertEquals("http://registry:8081", registry.get(RegistryClientConfig.URL));
        assertEquals("alice:s3cret", registry.get(RegistryClientConfig.BASIC_AUTH_USER_INFO));
        assertEquals("1500", registry.get("schema.registry.request.timeout.ms"));
        RegistryClientConfig.builderFrom(registry).build(); // a client these settings make

        // flags next to the file win
        o.bootstrapServers("other:9092").registryUrl("http://other:8081");
        assertEquals("other:9092", o.bootstrapServers());
        assertEquals("http://other:8081", o.registryClientSettings().get(RegistryClientConfig.URL));
    }

    @Test
    void withoutTheKeysTheJobsDefaultsApplyAndTheWorkerApiStaysOnLocalhost() {
        LabelBrokerOptions o = LabelBrokerOptions.fromSettings(Map.of("data.num-classes", "10"));
        assertEquals("localhost:9092", o.bootstrapServers());
        assertEquals("http://localhost:8081", o.registryUrl());
        assertEquals(Topics.LABEL_REQUESTS, o.config().requestsTopic());
        assertEquals(Topics.LABELS, o.config().labelsTopic());
        assertEquals("localhost", o.httpHost());
    }

    @Test
    void aMistypedBrokerKeyOrABadValueIsOneSentence() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LabelBrokerOptions.fromSettings(Map.of("broker.http-prot", "1")));
        assertTrue(e.getMessage().contains("broker.http-prot"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LabelBrokerOptions.fromSettings(Map.of("topic.label-answer", "x")));
        assertThrows(IllegalArgumentException.class, () -> LabelBrokerOptions.fromSettings(Map.of("broker.http-port", "http")));
        assertThrows(IllegalArgumentException.class, () -> LabelBrokerOptions.fromSettings(Map.of("registry.basic-auth", "nocolon")));
        assertThrows(IllegalArgumentException.class, () -> LabelBrokerOptions.fromFile(dir.resolve("missing.properties")));
    }
}
