package io.alstream.bench.efficiency;

import io.alstream.learner.util.SplitMix64;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Answers label requests from the ground truth, optionally wrong (with probability noise the answer is a
 * uniformly chosen other class) and late (an answer arrives delay events after its request). Seeded.
 */
public final class SimulatedOracle {
    private final int[] truth;
    private final int classes;
    private final double noise;
    private final int delay;
    private final SplitMix64 rng;
    private final Deque<Answer> inFlight = new ArrayDeque<>();
    private long requested;
    private long wrong;

    /** One answer: stream row, label given, and the event index at which it arrives. */
    public record Answer(int row, int label, long dueAt) {
    }

    public SimulatedOracle(int[] truth, int classes, double noise, int delay, long seed) {
        if (noise < 0 || noise >= 1 || delay < 0) {
            throw new IllegalArgumentException("noise must be in [0,1) and delay >= 0");
        }
        this.truth = truth;
        this.classes = classes;
        this.noise = noise;
        this.delay = delay;
        this.rng = new SplitMix64(SplitMix64.derive(seed, 0x0AC1EL));
    }

    /** Asks for row's label at event index now. */
    public void request(int row, long now) {
        int label = truth[row];
        if (noise > 0 && rng.nextDouble() < noise) {
            label = (label + 1 + rng.nextInt(classes - 1)) % classes;
            wrong++;
        }
        requested++;
        inFlight.addLast(new Answer(row, label, now + delay));
    }

    /** The answers that have arrived by event index now, in request order. */
    public List<Answer> arrived(long now) {
        List<Answer> out = new ArrayList<>();
        while (!inFlight.isEmpty() && inFlight.peekFirst().dueAt() <= now) {
            out.add(inFlight.removeFirst());
        }
        return out;
    }

    public int delay() { return delay; }
    public long requested() { return requested; }
    public long wrongAnswers() { return wrong; }
    public int inFlight() { return inFlight.size(); }
}
