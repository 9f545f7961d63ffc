package io.mepsidecar.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Point2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Latency by percentile as a PNG: one panel per concurrency, side by side. The x axis is the percentile on a "nines"
 * scale ({@code log10(1 / (1 - p/100))}, so 90, 99, 99.9 and 99.99 are evenly spaced), the y axis latency in
 * milliseconds on a log scale; one line per mode.
 */
final class LatencyPlot {

    static final int WIDTH = 1600;
    static final int HEIGHT = 600;

    private static final int TITLE_HEIGHT = 44;
    private static final int LEFT = 76;
    private static final int RIGHT = 24;
    private static final int TOP = 36;
    private static final int BOTTOM = 58;
    /** Percentile ticks; 0 (the fastest call) and those past 99.99 only show when the data reaches them. */
    private static final double[] X_TICKS = {0, 50, 90, 99, 99.9, 99.99, 99.999, 99.9999};
    private static final String[] X_LABELS = {"0", "50", "90", "99", "99.9", "99.99", "99.999", "99.9999"};
    /** Blank space around the data, as a share of each axis's range. */
    private static final double PAD = 0.03;
    /** The colour of each known mode; others take one from a spare palette. */
    static final Map<String, Color> COLOURS = Map.of("baseline", new Color(31, 119, 180),
            "direct-http", new Color(44, 160, 44), "sidecar", new Color(214, 39, 40),
            "sidecar-share", new Color(148, 103, 189), "sidecar-async", new Color(255, 127, 14));
    private static final Color[] SPARE = {new Color(140, 86, 75), new Color(227, 119, 194),
            new Color(127, 127, 127), new Color(188, 189, 34)};
    private static final Color GRID = new Color(225, 225, 225);
    private static final Color AXIS = new Color(90, 90, 90);
    private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 20);
    private static final Font PANEL_TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 16);
    private static final Font LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 13);

    /** One mode's points: x in nines, y as log10 of the latency in ms, by ascending percentile. */
    private record Series(String mode, Color colour, List<Point2D> points) {
    }

    /** Maps nines and log10(ms) onto the pixels of {@code plot}. */
    private record Scale(Rectangle plot, double xMin, double xMax, double yMin, double yMax) {

        double x(double nines) {
            return plot.x + (nines - xMin) / (xMax - xMin) * plot.width;
        }

        double y(double log) {
            return plot.y + plot.height - (log - yMin) / (yMax - yMin) * plot.height;
        }
    }

    private LatencyPlot() {
    }

    static void write(Summary summary, Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        if (!ImageIO.write(render(summary), "png", file.toFile())) {
            throw new IOException("no PNG writer available");
        }
    }

    static BufferedImage render(Summary summary) {
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            g.setColor(Color.BLACK);
            centred(g, TITLE, "Latency by percentile (ms, log scale) · " + summary.date(), WIDTH / 2, 30);
            panels(g, summary);
        } finally {
            g.dispose();
        }
        return image;
    }

    private static void panels(Graphics2D g, Summary summary) {
        List<Integer> levels = Report.concurrencies(summary);
        if (levels.isEmpty()) {
            panel(g, new Rectangle(0, TITLE_HEIGHT, WIDTH, HEIGHT - TITLE_HEIGHT), "no runs", List.of());
            return;
        }
        int width = WIDTH / levels.size();
        for (int i = 0; i < levels.size(); i++) {
            Rectangle area = new Rectangle(i * width, TITLE_HEIGHT, width, HEIGHT - TITLE_HEIGHT);
            panel(g, area, "concurrency " + levels.get(i), series(Report.runsAt(summary, levels.get(i))));
        }
    }

    private static List<Series> series(List<Summary.Run> runs) {
        List<Series> series = new ArrayList<>();
        int spare = 0;
        for (Summary.Run run : runs) {
            Color colour = COLOURS.get(run.mode());
            if (colour == null) {
                colour = SPARE[spare++ % SPARE.length];
            }
            series.add(new Series(run.mode(), colour, points(run)));
        }
        return series;
    }

    /** The run's percentile points, or its p50 … p99.9 if it has none; only those that fit the log scales. */
    private static List<Point2D> points(Summary.Run run) {
        List<double[]> raw = run.percentiles() == null || run.percentiles().isEmpty()
                ? List.of(new double[] {50, run.p50()}, new double[] {90, run.p90()}, new double[] {99, run.p99()},
                        new double[] {99.9, run.p999()})
                : run.percentiles();
        List<Point2D> points = new ArrayList<>();
        for (double[] point : raw) {
            if (point != null && point.length >= 2 && point[0] >= 0 && point[0] < 100 && point[1] > 0
                    && Double.isFinite(point[1])) {
                points.add(new Point2D.Double(nines(point[0]), Math.log10(point[1])));
            }
        }
        points.sort(Comparator.comparingDouble(Point2D::getX));
        return points;
    }

    private static double nines(double percentile) {
        return Math.log10(1 / (1 - percentile / 100));
    }

    private static void panel(Graphics2D g, Rectangle area, String title, List<Series> series) {
        g.setColor(Color.BLACK);
        centred(g, PANEL_TITLE, title, area.x + area.width / 2, area.y + 22);
        Rectangle plot = new Rectangle(area.x + LEFT, area.y + TOP, area.width - LEFT - RIGHT,
                area.height - TOP - BOTTOM);
        List<BigDecimal> yTicks = yTicks(series);
        Scale scale = scale(plot, series, yTicks);
        axes(g, scale, yTicks);
        Graphics2D clipped = (Graphics2D) g.create();
        try {
            clipped.clip(plot);
            series.forEach(s -> line(clipped, scale, s));
        } finally {
            clipped.dispose();
        }
        legend(g, plot, series);
    }

    private static Scale scale(Rectangle plot, List<Series> series, List<BigDecimal> yTicks) {
        double xMin = nines(X_TICKS[1]);
        double xMax = nines(99.99);
        for (Series s : series) {
            for (Point2D p : s.points()) {
                xMin = Math.min(xMin, p.getX());
                xMax = Math.max(xMax, p.getX());
            }
        }
        double pad = PAD * (xMax - xMin);
        double yMin = Math.log10(yTicks.get(0).doubleValue());
        double yMax = Math.log10(yTicks.get(yTicks.size() - 1).doubleValue());
        return new Scale(plot, xMin - pad, xMax + pad, yMin, yMax);
    }

    /**
     * Tick values for the latency axis, from a 1-2-5 step below the fastest point to one above the slowest
     * (1-10-100 when the data spans more than three decades); 0.1 to 10 ms when there are no points.
     */
    private static List<BigDecimal> yTicks(List<Series> series) {
        double low = series.stream().flatMap(s -> s.points().stream()).mapToDouble(Point2D::getY).min().orElse(-1);
        double high = series.stream().flatMap(s -> s.points().stream()).mapToDouble(Point2D::getY).max().orElse(1);
        double pad = PAD * Math.max(high - low, 1);
        return ladder(low - pad, high + pad);
    }

    /** The 1-2-5 (or decade) steps from the last at or below 10^min to the first at or above 10^max. */
    private static List<BigDecimal> ladder(double min, double max) {
        int[] steps = max - min > 3 ? new int[] {1} : new int[] {1, 2, 5};
        List<BigDecimal> ladder = new ArrayList<>();
        for (int decade = (int) Math.floor(min) - 1; decade <= (int) Math.ceil(max) + 1; decade++) {
            for (int step : steps) {
                ladder.add(BigDecimal.valueOf(step).scaleByPowerOfTen(decade));
            }
        }
        int first = 0;
        while (first + 1 < ladder.size() && Math.log10(ladder.get(first + 1).doubleValue()) <= min + 1e-9) {
            first++;
        }
        int last = first + 1;
        while (last + 1 < ladder.size() && Math.log10(ladder.get(last).doubleValue()) < max - 1e-9) {
            last++;
        }
        return ladder.subList(first, last + 1);
    }

    private static void axes(Graphics2D g, Scale scale, List<BigDecimal> yTicks) {
        Rectangle plot = scale.plot();
        g.setFont(LABEL);
        g.setStroke(new BasicStroke(1f));
        for (int i = 0; i < X_TICKS.length; i++) {
            if (nines(X_TICKS[i]) < scale.xMin() || nines(X_TICKS[i]) > scale.xMax()) {
                continue;
            }
            int x = (int) Math.round(scale.x(nines(X_TICKS[i])));
            g.setColor(GRID);
            g.drawLine(x, plot.y, x, plot.y + plot.height);
            g.setColor(AXIS);
            centred(g, LABEL, X_LABELS[i], x, plot.y + plot.height + 18);
        }
        for (BigDecimal tick : yTicks) {
            int y = (int) Math.round(scale.y(Math.log10(tick.doubleValue())));
            g.setColor(GRID);
            g.drawLine(plot.x, y, plot.x + plot.width, y);
            g.setColor(AXIS);
            String label = tick.stripTrailingZeros().toPlainString();
            g.drawString(label, plot.x - 8 - g.getFontMetrics().stringWidth(label), y + 5);
        }
        g.drawRect(plot.x, plot.y, plot.width, plot.height);
        axisLabels(g, plot);
    }

    private static void axisLabels(Graphics2D g, Rectangle plot) {
        g.setColor(Color.BLACK);
        centred(g, LABEL, "percentile", plot.x + plot.width / 2, plot.y + plot.height + 42);
        AffineTransform saved = g.getTransform();
        g.rotate(-Math.PI / 2, plot.x - 56, plot.y + plot.height / 2.0);
        centred(g, LABEL, "latency (ms)", plot.x - 56, plot.y + plot.height / 2 + 5);
        g.setTransform(saved);
    }

    private static void line(Graphics2D g, Scale scale, Series series) {
        List<Point2D> points = series.points();
        g.setColor(series.colour());
        g.setStroke(new BasicStroke(2.2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        Path2D path = new Path2D.Double();
        for (int i = 0; i < points.size(); i++) {
            double x = scale.x(points.get(i).getX());
            double y = scale.y(points.get(i).getY());
            if (i == 0) {
                path.moveTo(x, y);
            } else {
                path.lineTo(x, y);
            }
            if (points.size() <= 20) {
                g.fill(new Ellipse2D.Double(x - 3, y - 3, 6, 6));
            }
        }
        g.draw(path);
    }

    private static void legend(Graphics2D g, Rectangle plot, List<Series> series) {
        g.setFont(LABEL);
        if (series.stream().allMatch(s -> s.points().isEmpty())) {
            g.setColor(AXIS);
            centred(g, LABEL, "no data", plot.x + plot.width / 2, plot.y + plot.height / 2);
            return;
        }
        int width = 40 + series.stream().mapToInt(s -> g.getFontMetrics().stringWidth(label(s))).max().orElse(0);
        Rectangle box = new Rectangle(plot.x + 10, plot.y + 10, width + 10, 8 + 20 * series.size());
        g.setColor(Color.WHITE);
        g.fill(box);
        g.setColor(GRID.darker());
        g.draw(box);
        for (int i = 0; i < series.size(); i++) {
            int y = box.y + 18 + 20 * i;
            g.setColor(series.get(i).colour());
            g.setStroke(new BasicStroke(3f));
            g.drawLine(box.x + 8, y - 5, box.x + 32, y - 5);
            g.setColor(Color.BLACK);
            g.drawString(label(series.get(i)), box.x + 40, y);
        }
    }

    private static String label(Series series) {
        return series.points().isEmpty() ? series.mode() + " (no data)" : series.mode();
    }

    private static void centred(Graphics2D g, Font font, String text, int x, int baseline) {
        g.setFont(font);
        g.drawString(text, x - g.getFontMetrics().stringWidth(text) / 2, baseline);
    }
}
