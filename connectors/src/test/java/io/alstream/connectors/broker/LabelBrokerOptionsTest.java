package io.alstream.connectors.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;

import io.alstream.connectors.broker.aggregation.AggregationMethod;
import org.junit.jupiter.api.Test;

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
}

