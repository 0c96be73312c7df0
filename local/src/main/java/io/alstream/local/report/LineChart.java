package io.alstream.local.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import javax.imageio.ImageIO;

/**
 * A small line chart written as PNG with the JDK's own 2D graphics (headless), for learning curves:
 * one line per series, linear or log x axis, optional error band per point.
 */
public final class LineChart {
    private static final Color[] PALETTE = {
        new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e), new Color(0x9467bd),
        new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22), new Color(0x17becf)};

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final boolean logX;
    private final Map<String, List<double[]>> series = new LinkedHashMap<>();

    public LineChart(String title, String xLabel, String yLabel, boolean logX) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
        this.logX = logX;
    }

    /** Adds a point {x, y} or {x, y, err} to the named series (created on first use). */
    public LineChart point(String name, double x, double y, double err) {
        series.computeIfAbsent(name, k -> new ArrayList<>()).add(new double[] {x, y, err});
        return this;
    }

    public LineChart point(String name, double x, double y) {
        return point(name, x, y, 0);
    }

    public void writePng(Path file, int width, int height) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);

        double xmin = Double.POSITIVE_INFINITY, xmax = Double.NEGATIVE_INFINITY;
        double ymin = Double.POSITIVE_INFINITY, ymax = Double.NEGATIVE_INFINITY;
        for (List<double[]> pts : series.values()) {
            for (double[] p : pts) {
                if (logX && p[0] <= 0) {
                    continue;
                }
                xmin = Math.min(xmin, p[0]);
                xmax = Math.max(xmax, p[0]);
                ymin = Math.min(ymin, p[1] - p[2]);
                ymax = Math.max(ymax, p[1] + p[2]);
            }
        }
        if (!Double.isFinite(xmin)) {
            xmin = 0;
            xmax = 1;
            ymin = 0;
            ymax = 1;
        }
        if (xmax == xmin) {
            xmax = xmin + 1;
        }
        double pad = Math.max(0.01, (ymax - ymin) * 0.05);
        ymin -= pad;
        ymax += pad;

        Font font = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
        g.setFont(font);
        FontMetrics fm = g.getFontMetrics();
        int legend = 0;
        for (String name : series.keySet()) {
            legend = Math.max(legend, fm.stringWidth(name));
        }
        int left = 80, right = Math.min(width / 2, legend + 60), top = 50, bottom = 60;
        int pw = width - left - right, ph = height - top - bottom;

        // axes and grid
        double ystep = niceStep((ymax - ymin) / 6);
        int decimals = Math.max(0, (int) Math.ceil(-Math.log10(ystep)));
        g.setColor(Color.DARK_GRAY);
        g.drawRect(left, top, pw, ph);
        for (double v = Math.ceil(ymin / ystep) * ystep; v <= ymax + 1e-12; v += ystep) {
            int y = yPix(v, ymin, ymax, top, ph);
            g.setColor(new Color(0xeeeeee));
            g.drawLine(left + 1, y, left + pw - 1, y);
            g.setColor(Color.DARK_GRAY);
            String s = String.format(Locale.ROOT, "%." + decimals + "f", v);
            g.drawString(s, left - 8 - fm.stringWidth(s), y + fm.getAscent() / 2);
        }
        for (double xv : xTicks(xmin, xmax)) {
            int x = left + (int) Math.round(xPos(xv, xmin, xmax) * pw);
            g.drawLine(x, top + ph, x, top + ph + 5);
            String s = xv >= 1000 && xv % 1000 == 0 ? (long) (xv / 1000) + "k" : String.format(Locale.ROOT, "%.0f", xv);
            g.drawString(s, x - fm.stringWidth(s) / 2, top + ph + 20);
        }
        g.setFont(font.deriveFont(Font.BOLD, 15f));
        g.drawString(title, left, top - 18);
        g.setFont(font);
        g.drawString(xLabel + (logX ? " (log scale)" : ""), left + pw / 2 - fm.stringWidth(xLabel) / 2, height - 18);
        Graphics2D gr = (Graphics2D) g.create();
        gr.rotate(-Math.PI / 2);
        gr.drawString(yLabel, -(top + ph / 2 + fm.stringWidth(yLabel) / 2), 22);
        gr.dispose();

        // series
        int k = 0;
        for (Map.Entry<String, List<double[]>> e : series.entrySet()) {
            Color c = PALETTE[k % PALETTE.length];
            List<double[]> pts = new ArrayList<>(e.getValue());
            pts.removeIf(p -> logX && p[0] <= 0);
            pts.sort((a, b) -> Double.compare(a[0], b[0]));
            g.setColor(new Color(c.getRed(), c.getGreen(), c.getBlue(), 40));
            for (int i = 1; i < pts.size(); i++) {
                double[] a = pts.get(i - 1), b = pts.get(i);
                int xa = left + (int) Math.round(xPos(a[0], xmin, xmax) * pw);
                int xb = left + (int) Math.round(xPos(b[0], xmin, xmax) * pw);
                int[] xs = {xa, xb, xb, xa};
                int[] ys = {yPix(a[1] + a[2], ymin, ymax, top, ph), yPix(b[1] + b[2], ymin, ymax, top, ph),
                        yPix(b[1] - b[2], ymin, ymax, top, ph), yPix(a[1] - a[2], ymin, ymax, top, ph)};
                g.fillPolygon(xs, ys, 4);
            }
            g.setColor(c);
            g.setStroke(new BasicStroke(2f));
            for (int i = 0; i < pts.size(); i++) {
                double[] p = pts.get(i);
                int x = left + (int) Math.round(xPos(p[0], xmin, xmax) * pw);
                int y = yPix(p[1], ymin, ymax, top, ph);
                g.fillOval(x - 3, y - 3, 7, 7);
                if (i > 0) {
                    double[] q = pts.get(i - 1);
                    g.drawLine(left + (int) Math.round(xPos(q[0], xmin, xmax) * pw), yPix(q[1], ymin, ymax, top, ph), x, y);
                }
            }
            int ly = top + 10 + k * 20;
            g.fillRect(left + pw + 15, ly - 8, 18, 4);
            g.setColor(Color.DARK_GRAY);
            g.drawString(e.getKey(), left + pw + 40, ly);
            k++;
        }
        g.dispose();
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            ImageIO.write(img, "png", file.toFile());
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot write " + file, ex);
        }
    }

    private double xPos(double x, double xmin, double xmax) {
        if (logX) {
            return (Math.log(x) - Math.log(xmin)) / (Math.log(xmax) - Math.log(xmin));
        }
        return (x - xmin) / (xmax - xmin);
    }

    private static int yPix(double y, double ymin, double ymax, int top, int ph) {
        return top + ph - (int) Math.round((y - ymin) / (ymax - ymin) * ph);
    }

    private List<Double> xTicks(double xmin, double xmax) {
        List<Double> t = new ArrayList<>();
        if (logX) {
            for (double base = Math.pow(10, Math.floor(Math.log10(xmin))); base <= xmax; base *= 10) {
                for (double m : new double[] {1, 2, 5}) {
                    double v = base * m;
                    if (v >= xmin * 0.999 && v <= xmax * 1.001) {
                        t.add(v);
                    }
                }
            }
        } else {
            double step = niceStep((xmax - xmin) / 6);
            for (double v = Math.ceil(xmin / step) * step; v <= xmax + 1e-9; v += step) {
                t.add(v);
            }
        }
        return t;
    }

    private static double niceStep(double raw) {
        double p = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * p >= raw) {
                return m * p;
            }
        }
        return 10 * p;
    }
}
