package io.alstream.learner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.io.StringWriter;
import java.util.List;

import static io.alstream.learner.SharedReference.flat;
import static io.alstream.learner.SharedReference.maxRelErr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The JSON tool reproduces the reference vectors from outside, and explains malformed input. */
class AcquireToolTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode run(String in, List<String> functions, long seed) throws Exception {
        StringWriter out = new StringWriter();
        AcquireTool.run(new StringReader(in), functions, seed, out);
        return JSON.readTree(out.toString());
    }

    @Test
    void scoresTheReferenceCasesLikeTheAuthorsCode() throws Exception {
        JsonNode ref = SharedReference.json("balent_reference.json");
        for (JsonNode c : ref.get("cases")) {
            String in = "{\"probs\": " + c.get("probs").toString() + "}";
            JsonNode out = run(in, List.of("balentacq", "bald", "predictive_entropy", "mean_stddev", "variation_ratios", "random"), 3);
            assertEquals(c.get("N").asInt(), out.get("n").asInt());
            assertEquals(c.get("S").asInt(), out.get("samples").asInt());
            JsonNode scores = out.get("scores");
            assertTrue(maxRelErr(flat(scores.get("balent")), flat(c.get("outputs").get("balentacq_2025fixed")), 1e-300) < 1e-9);
            assertTrue(maxRelErr(flat(scores.get("bald")), flat(c.get("outputs").get("bald")), 1e-300) < 1e-9);
            assertTrue(maxRelErr(flat(scores.get("entropy")), flat(c.get("outputs").get("predictive_entropy")), 1e-300) < 1e-9);
            assertTrue(maxRelErr(flat(scores.get("mean_std")), flat(c.get("outputs").get("mean_stddev")), 1e-12) < 1e-9);
            assertEquals(c.get("N").asInt(), scores.get("random").size());
        }
    }

    @Test
    void emptyInputGivesEmptyScores() throws Exception {
        JsonNode out = run("{\"probs\": []}", List.of("entropy"), 0);
        assertEquals(0, out.get("n").asInt());
        assertEquals(0, out.get("scores").get("entropy").size());
    }

    @Test
    void malformedInputIsExplained() {
        assertMessage("{\"p\": []}", "\"probs\"");
        assertMessage("not json", "not valid JSON");
        assertMessage("{\"probs\": [[[0.5, 0.5]], [[0.5, 0.5], [0.5, 0.5]]]}", "point 1 has 2 samples");
        assertMessage("{\"probs\": [[[0.5, 0.5], [1.0]]]}", "point 0, sample 1 has 1 classes");
        assertMessage("{\"probs\": [[[0.5, 0.7]]]}", "sums to 1.2");
        assertMessage("{\"probs\": [[[1.5, -0.5]]]}", "not a probability");
        assertMessage("{\"probs\": [[[\"a\", 1]]]}", "not a number");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> run("{\"probs\": [[[1.0]]]}", List.of("lookahead_flip"), 0));
        assertTrue(e.getMessage().contains("needs a model"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> run("{\"probs\": [[[1.0]]]}", List.of("bogus"), 0));
        assertTrue(e.getMessage().contains("unknown acquisition function"), e.getMessage());
    }

    private static void assertMessage(String in, String part) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> run(in, List.of("entropy"), 0));
        assertTrue(e.getMessage().contains(part), "message '" + e.getMessage() + "' should mention '" + part + "'");
    }
}
