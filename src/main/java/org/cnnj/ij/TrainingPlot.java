package org.cnnj.ij;

import ij.gui.Plot;
import ij.gui.PlotWindow;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A live plot of training loss and the validation score per epoch, in one ImageJ Plot window that is
 * redrawn after every epoch. Only with a display; headless the CSV log and the log lines tell the same.
 */
public final class TrainingPlot {
    private final String title, scoreName;
    private final List<Double> epochs = new ArrayList<>(), losses = new ArrayList<>(), scores = new ArrayList<>();
    /** The training plot's window, reused by the next training (one plot of the running training, not one per run). */
    private static PlotWindow window;

    public TrainingPlot(String title, String scoreName) {
        this.title = title;
        this.scoreName = scoreName;
    }

    public void add(int epoch, double loss, double score) {
        epochs.add((double) epoch);
        losses.add(loss);
        scores.add(score);
        if (!ResultsDisplay.available()) return;
        // One axis for both: the loss relative to the first epoch's (1 = where training started) and the score, both in
        // 0..1-ish.
        double first = losses.get(0) > 0 ? losses.get(0) : 1;
        double[] x = epochs.stream().mapToDouble(Double::doubleValue).toArray();
        double[] relative = losses.stream().mapToDouble(l -> l / first).toArray(),
                s = scores.stream().mapToDouble(Double::doubleValue).toArray();
        Plot plot = new Plot(title, "epoch", "loss ÷ first epoch's loss;  " + scoreName);
        plot.add("connected circle", x, relative);
        plot.add("connected circle", x, s);
        // Colours set per series by style ("line colour, fill colour, width, symbol"): setColor before add left the
        // lines black.
        plot.setStyle(0, "#d62728,#d62728,2,connected circle");
        plot.setStyle(1, "#1f77b4,#1f77b4,2,connected circle");
        // Whole epochs on the x axis: limits from 0 to a whole number, so ticks fall on epochs, not on halves.
        plot.setLimits(
                0,
                Math.max(2, epochs.size()) + 1,
                0,
                Math.max(1.05, Arrays.stream(relative).max().orElse(1) * 1.05));
        plot.setLegend("training loss (relative)\t" + scoreName, Plot.AUTO_POSITION);
        if (window == null || !window.isVisible()) window = plot.show();
        else {
            window.drawPlot(plot);
            window.setTitle(title);
        }
    }
}
