package io.ibex.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The figures of one run of the benchmark, printed as one Markdown table. */
final class Results {

    /** A measured figure: its samples (one per run), how to show it, and how it compares. */
    static final class Figure {
        final String section;
        String name;
        final String unit;
        final List<Double> samples = new ArrayList<>();
        String ratio = "";
        String goal = "";
        Boolean met;
        String reference = "";
        int decimals = 1;

        Figure(String section, String name, String unit) {
            this.section = section;
            this.name = name;
            this.unit = unit;
        }

        Figure add(double v) {
            samples.add(v);
            return this;
        }

        double median() {
            return Stats.median(samples);
        }

        Figure decimals(int d) {
            decimals = d;
            return this;
        }

        Figure reference(String r) {
            reference = r;
            return this;
        }

        String fmt(double v) {
            if (Double.isNaN(v)) {
                return "n/a";
            }
            return String.format(Locale.ROOT, "%,." + decimals + "f", v);
        }
    }

    final List<Figure> figures = new ArrayList<>();
    final List<String> notes = new ArrayList<>();

    Figure figure(String section, String name, String unit) {
        Figure f = new Figure(section, name, unit);
        figures.add(f);
        return f;
    }

    /** Sets the ratio of {@code f} to {@code reference} (medians), and whether it meets a goal. */
    static void ratio(Figure f, double ratio, String goal, Boolean met, String label) {
        f.ratio = Double.isNaN(ratio) ? "n/a" : String.format(Locale.ROOT, "%.2f%s", ratio, label.isEmpty() ? "" : " " + label);
        f.goal = goal;
        f.met = met;
    }

    /** A Markdown table cell: a pipe inside it is escaped. */
    private static String cell(String text) {
        return text.replace("|", "\\|");
    }

    String table() {
        StringBuilder sb = new StringBuilder();
        sb.append("| # | figure | median | min – max | runs | ratio (same run) | goal | met? | issue's reference (2 cores, PG 15) |\n");
        sb.append("|---|---|---:|---:|---:|---|---|---|---|\n");
        for (Figure f : figures) {
            String median = f.samples.isEmpty() ? "not measured" : f.fmt(f.median()) + " " + f.unit;
            String range = f.samples.size() < 2 ? "" : f.fmt(Stats.min(f.samples)) + " – " + f.fmt(Stats.max(f.samples));
            String met = f.met == null ? "" : f.met ? "yes" : "**no**";
            sb.append("| ").append(f.section).append(" | ").append(cell(f.name)).append(" | ").append(median).append(" | ")
                    .append(range).append(" | ").append(f.samples.size()).append(" | ").append(cell(f.ratio)).append(" | ")
                    .append(cell(f.goal)).append(" | ").append(met).append(" | ").append(cell(f.reference)).append(" |\n");
        }
        return sb.toString();
    }
}
