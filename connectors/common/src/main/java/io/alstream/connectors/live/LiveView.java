package io.alstream.connectors.live;

import java.util.ArrayList;
import java.util.List;

/**
 * What the live page shows at one moment: figures (tiles), charts and tables. Built by the process that
 * serves the page (the demo, {@code run}, the label broker) from what it watches; serialised to JSON as is.
 *
 * @param title     the page's heading
 * @param subtitle  one line under it (what is watched, since when)
 * @param updatedAt epoch milliseconds of this view
 */
public record LiveView(String title, String subtitle, long updatedAt, List<Tile> tiles, List<Chart> charts,
                       List<Table> tables) {

    /**
     * A figure with a label and a line of detail under it.
     *
     * @param id    stable, for the page and tests: the element id is {@code tile-<id>}
     * @param value the figure, formatted
     */
    public record Tile(String id, String label, String value, String detail) {
    }

    /**
     * Lines over a shared x axis: {@code x} ascending, each series' {@code y} aligned to it (null where a
     * series has no point).
     */
    public record Chart(String id, String title, String xLabel, String yLabel, boolean xIsTime, List<Double> x,
                        List<Series> series) {
    }

    /** One line of a chart. */
    public record Series(String name, List<Double> y) {
    }

    /** A table of text cells. */
    public record Table(String id, String title, List<String> columns, List<List<String>> rows) {
    }

    /** Builds a view piece by piece. */
    public static Builder builder(String title, String subtitle) {
        return new Builder(title, subtitle);
    }

    /** Collects tiles, charts and tables in page order. */
    public static final class Builder {
        private final String title;
        private final String subtitle;
        private final List<Tile> tiles = new ArrayList<>();
        private final List<Chart> charts = new ArrayList<>();
        private final List<Table> tables = new ArrayList<>();

        private Builder(String title, String subtitle) {
            this.title = title;
            this.subtitle = subtitle;
        }

        public Builder tile(String id, String label, String value, String detail) {
            tiles.add(new Tile(id, label, value, detail));
            return this;
        }

        public Builder chart(Chart chart) {
            charts.add(chart);
            return this;
        }

        public Builder table(String id, String title, List<String> columns, List<List<String>> rows) {
            tables.add(new Table(id, title, columns, rows));
            return this;
        }

        public LiveView build() {
            return new LiveView(title, subtitle, System.currentTimeMillis(), List.copyOf(tiles), List.copyOf(charts),
                    List.copyOf(tables));
        }
    }
}
