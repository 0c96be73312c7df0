package io.alstream.connectors.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;

import io.alstream.connectors.broker.aggregation.AggregationMethod;
import org.junit.jupiter.api.Test;

class LabelBrokerOptionsTest {
    @Test
    void optionsBecomeTheBrokerConfig() {
        BrokerConfig c = new LabelBrokerOptions("k:9092", "http://r:8081")
                .method("one-coin-ds").minAnswers(2).maxAnswers(4).agreement(0.8).noAgreement("close-unlabelled")
                .leaseDuration(Duration.ofSeconds(90)).priorAccuracy(0.8).priorStrength(2)
                .requestsTopic("in").labelsTopic("out").applicationId("b1")
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
    }

    @Test
    void nonsenseIsRefusedAtStart() {
        assertThrows(IllegalArgumentException.class, () -> new LabelBrokerOptions("k", "r").minAnswers(3).maxAnswers(2).config());
        assertThrows(IllegalArgumentException.class, () -> new LabelBrokerOptions("k", "r").agreement(1.5).config());
        assertThrows(IllegalArgumentException.class, () -> new LabelBrokerOptions("k", "r").method("voting"));
        assertThrows(IllegalArgumentException.class, () -> new LabelBrokerOptions("k", "r").tokens(), "no tokens at all");
    }
}
