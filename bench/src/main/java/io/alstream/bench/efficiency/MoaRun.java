package io.alstream.bench.efficiency;

import com.yahoo.labs.samoa.instances.Attribute;
import com.yahoo.labs.samoa.instances.DenseInstance;
import com.yahoo.labs.samoa.instances.Instance;
import com.yahoo.labs.samoa.instances.Instances;
import com.yahoo.labs.samoa.instances.InstancesHeader;
import moa.classifiers.AbstractClassifier;
import moa.classifiers.active.ALRandom;
import moa.classifiers.active.ALUncertainty;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The peer: one of MOA's stream active learners on the same stream (same order per seed), budget and held-out
 * set. {@code var-uncertainty} is {@code ALUncertainty} with its variable-uncertainty strategy (threshold step
 * 0.01); {@code random} is {@code ALRandom} with MOA's fixed budget manager. The learner sees every event
 * (trainOnInstance) and decides itself whether to use the label; labels are counted from its own bookkeeping.
 * Held-out accuracy is measured when the label count reaches each point.
 */
public final class MoaRun {
    /** Base classifiers tried (DESIGN 11), by short name: the MOA CLI string of each. */
    public static final List<String[]> BASE_LEARNERS = List.of(
            new String[] {"naive-bayes", "bayes.NaiveBayes"},
            new String[] {"hoeffding-tree", "trees.HoeffdingTree"},
            new String[] {"sgd-logistic", "functions.SGDMultiClass -o 1"},
            new String[] {"knn", "lazy.kNN -k 10 -w 1000"},
            new String[] {"arf", "meta.AdaptiveRandomForest -s 10 -j 1"});

    private final BenchData data;
    private final String base;
    private final String baseCli;
    private final String strategy;
    private final long seed;
    private final RunSettings settings;
    private final Progress progress;

    public MoaRun(BenchData data, String base, String strategy, long seed, RunSettings settings, Progress progress) {
        this.data = data;
        this.base = base;
        this.baseCli = cliOf(base);
        if (!strategy.equals("var-uncertainty") && !strategy.equals("random")) {
            throw new IllegalArgumentException("MOA strategy must be var-uncertainty or random, got " + strategy);
        }
        this.strategy = strategy;
        this.seed = seed;
        this.settings = settings;
        this.progress = progress;
    }

    public static String cliOf(String base) {
        for (String[] b : BASE_LEARNERS) {
            if (b[0].equals(base)) {
                return b[1];
            }
        }
        throw new IllegalArgumentException("unknown MOA base learner '" + base + "'; known: "
                + BASE_LEARNERS.stream().map(b -> b[0]).toList());
    }

    public String name() {
        return "moa-" + base + " " + strategy + " seed " + seed;
    }

    public RunResult run() {
        InstancesHeader header = header(data.featureDim(), data.numClasses());
        AbstractClassifier learner = learner(header);
        int[] order = data.streamOrder(seed);
        float[][] xs = data.stream().features();
        int[] ys = data.stream().labels();
        int[] counts = settings.reachable(order.length);
        int target = counts.length == 0 ? 0 : counts[counts.length - 1];
        List<Instance> heldOut = new ArrayList<>();
        for (int i = 0; i < data.heldOut().size(); i++) {
            heldOut.add(instance(header, data.heldOut().features()[i], data.heldOut().labels()[i]));
        }
        List<CurvePoint> points = new ArrayList<>();
        long start = System.nanoTime();
        long evalNanos = 0;
        long labels = 0;
        int next = 0;
        long events = 0;
        double last = Double.NaN;
        for (int i = 0; i < order.length && (target == 0 || labels < target); i++) {
            int row = order[i];
            Instance inst = instance(header, xs[row], noisy(ys[row], i));
            learner.trainOnInstance(inst);
            events = i + 1;
            long now = labelCount(learner, labels);
            while (labels < now) {
                labels++;
                if (next < counts.length && labels == counts[next]) {
                    long t0 = System.nanoTime();
                    last = accuracy(learner, heldOut);
                    evalNanos += System.nanoTime() - t0;
                    points.add(new CurvePoint((int) labels, events, last, (System.nanoTime() - start - evalNanos) / 1e9));
                    next++;
                }
            }
            if (progress != null && (i & 255) == 0) {
                progress.update(name(), labels, events, order.length, last);
            }
        }
        RunResult r = new RunResult("moa-" + base, strategy, seed, points, labels, events,
                (System.nanoTime() - start - evalNanos) / 1e9);
        if (progress != null) {
            progress.finished(name(), r, order.length);
        }
        return r;
    }

    private AbstractClassifier learner(InstancesHeader header) {
        AbstractClassifier al;
        String budget = String.format(Locale.ROOT, "%s", settings.budget());
        if (strategy.equals("var-uncertainty")) {
            al = new ALUncertainty();
            al.getOptions().setViaCLIString("-l (" + baseCli + ") -d VarUncertainty -b " + budget + " -s 0.01");
        } else {
            al = new ALRandom();
            al.getOptions().setViaCLIString("-l (" + baseCli + ") -b (FixedBM -b " + budget + ")");
        }
        al.setRandomSeed((int) seed);
        al.prepareForUse();
        al.setModelContext(header);
        al.resetLearning();
        return al;
    }

    /** Labels the learner has used so far (labels = the count before this event). */
    private static long labelCount(AbstractClassifier learner, long labels) {
        if (learner instanceof ALUncertainty u) {
            return u.costLabeling;
        }
        return labels + ((ALRandom) learner).getLastLabelAcqReport();
    }

    // The oracle's noise, as in the in-process path: a wrong class with probability noise (seeded per event).
    private int noisy(int label, int event) {
        if (settings.noise() <= 0) {
            return label;
        }
        io.alstream.learner.util.SplitMix64 r = new io.alstream.learner.util.SplitMix64(
                io.alstream.learner.util.SplitMix64.derive(seed, event));
        if (r.nextDouble() >= settings.noise()) {
            return label;
        }
        return (label + 1 + r.nextInt(data.numClasses() - 1)) % data.numClasses();
    }

    private static double accuracy(AbstractClassifier learner, List<Instance> heldOut) {
        int right = 0;
        for (Instance inst : heldOut) {
            double[] votes = learner.getVotesForInstance(inst);
            int best = 0;
            for (int c = 1; c < votes.length; c++) {
                if (votes[c] > votes[best]) {
                    best = c;
                }
            }
            right += votes.length > 0 && best == (int) inst.classValue() ? 1 : 0;
        }
        return right / (double) heldOut.size();
    }

    static InstancesHeader header(int dim, int classes) {
        List<Attribute> attributes = new ArrayList<>();
        for (int j = 0; j < dim; j++) {
            attributes.add(new Attribute("x" + j));
        }
        List<String> values = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            values.add(Integer.toString(c));
        }
        attributes.add(new Attribute("class", values));
        Instances instances = new Instances("alstream-bench", attributes, 0);
        instances.setClassIndex(dim);
        return new InstancesHeader(instances);
    }

    static Instance instance(InstancesHeader header, float[] x, int label) {
        double[] values = new double[x.length + 1];
        for (int j = 0; j < x.length; j++) {
            values[j] = x[j];
        }
        values[x.length] = label;
        Instance inst = new DenseInstance(1.0, values);
        inst.setDataset(header);
        return inst;
    }
}
