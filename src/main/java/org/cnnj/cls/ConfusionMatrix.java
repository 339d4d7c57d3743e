package org.cnnj.cls;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Counts of (true class, predicted class) pairs, and the accuracy, precision and recall read from them. */
public final class ConfusionMatrix {
    private final List<String> classes;
    private final long[][] counts;

    public ConfusionMatrix(List<String> classes) {
        this.classes = List.copyOf(classes);
        this.counts = new long[classes.size()][classes.size()];
    }

    public void add(int truth, int predicted) {
        counts[truth][predicted]++;
    }

    public List<String> classes() {
        return classes;
    }

    public long count(int truth, int predicted) {
        return counts[truth][predicted];
    }

    public long total() {
        long n = 0;
        for (long[] row : counts) for (long c : row) n += c;
        return n;
    }

    public double accuracy() {
        long right = 0;
        for (int k = 0; k < counts.length; k++) right += counts[k][k];
        long n = total();
        return n == 0 ? 0 : (double) right / n;
    }

    /** Of the crops predicted as class k, the share that are k (NaN when none was predicted k). */
    public double precision(int k) {
        long predicted = 0;
        for (long[] row : counts) predicted += row[k];
        return predicted == 0 ? Double.NaN : (double) counts[k][k] / predicted;
    }

    /** Of the crops of class k, the share predicted k (NaN when there were none). */
    public double recall(int k) {
        long truth = 0;
        for (long c : counts[k]) truth += c;
        return truth == 0 ? Double.NaN : (double) counts[k][k] / truth;
    }

    /** "mitotic: precision 0.95 recall 0.90 (20)" per class, for the epoch log. */
    public List<String> perClassLines() {
        List<String> lines = new ArrayList<>();
        for (int k = 0; k < classes.size(); k++) {
            long n = 0;
            for (long c : counts[k]) n += c;
            lines.add(String.format(
                    Locale.ROOT,
                    "  %s: precision %s recall %s (%d)",
                    classes.get(k),
                    share(precision(k)),
                    share(recall(k)),
                    n));
        }
        return lines;
    }

    /** 0.950, or "n/a" when nothing was there to count. */
    private static String share(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.3f", v);
    }

    /** The matrix as CSV: a header of predicted classes, one row per true class. */
    public String csv() {
        StringBuilder sb = new StringBuilder("true \\ predicted");
        for (String c : classes) sb.append(',').append(c);
        sb.append('\n');
        for (int t = 0; t < classes.size(); t++) {
            sb.append(classes.get(t));
            for (long c : counts[t]) sb.append(',').append(c);
            sb.append('\n');
        }
        return sb.toString();
    }
}
