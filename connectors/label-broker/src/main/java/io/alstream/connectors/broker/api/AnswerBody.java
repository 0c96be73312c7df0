package io.alstream.connectors.broker.api;

/** Body of POST .../answer: the class chosen, and optionally how sure the worker is. */
public class AnswerBody {
    public Integer label;
    public Double confidence;

    public AnswerBody() {
    }

    public AnswerBody(int label, Double confidence) {
        this.label = label;
        this.confidence = confidence;
    }
}
