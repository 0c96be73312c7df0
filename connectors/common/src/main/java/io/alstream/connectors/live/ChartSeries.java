package io.alstream.connectors.live;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Points of several named lines, possibly at different x values, aligned into one {@link LiveView.Chart}
 * (the shape uPlot draws: one ascending x array and a y array per line with nulls in the gaps). Keeps at
 * most {@code maxPoints} per line, thinning the oldest half when full so a long run still fits a page.
 */
public final class ChartSeries {
    private final String id;
    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final boolean xIsTime;
    private final int maxPoints;
    private final TreeMap<String, TreeMap<Double, Double>> lines = new TreeMap<>();
    private final List<String> order = new ArrayList<>();

    public ChartSeries(String id, String title, String xLabel, String yLabel, boolean xIsTime, int maxPoints) {
        if (maxPoints < 4) {
            throw new IllegalArgumentException("maxPoints must be at least 4, was " + maxPoints);
        }
        this.id = id;
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
        this.xIsTime = xIsTime;
        this.maxPoints = maxPoints;
    }

    /** Adds (or replaces) the point of a line at x; non-finite values are ignored. */
    public synchronized void add(String line, double x, double y) {
        if (!Double.isFinite(x) || !Double.isFinite(y)) {
            return;
        }
        TreeMap<Double, Double> points = lines.get(line);
        if (points == null) {
            points = new TreeMap<>();
            lines.put(line, points);
            order.add(line);
        }
        points.put(x, y);
        if (points.size() > maxPoints) {
            thin(points);
        }
    }

    /** Drops every second point of the older half. */
    private void thin(TreeMap<Double, Double> points) {
        List<Double> xs = new ArrayList<>(points.keySet());
        int half = xs.size() / 2;
        for (int i = 1; i < half; i += 2) {
            points.remove(xs.get(i));
        }
    }

    /** The lines aligned on the union of their x values. */
    public synchronized LiveView.Chart chart() {
        TreeSet<Double> xs = new TreeSet<>();
        for (TreeMap<Double, Double> points : lines.values()) {
            xs.addAll(points.keySet());
        }
        List<LiveView.Series> series = new ArrayList<>();
        for (String name : order) {
            TreeMap<Double, Double> points = lines.get(name);
            List<Double> y = new ArrayList<>(xs.size());
            for (Double x : xs) {
                y.add(points.get(x));
            }
            series.add(new LiveView.Series(name, y));
        }
        return new LiveView.Chart(id, title, xLabel, yLabel, xIsTime, new ArrayList<>(xs), series);
    }
}
