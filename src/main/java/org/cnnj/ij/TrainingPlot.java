package org.cnnj.ij;

import ij.gui.Plot;
import ij.gui.PlotWindow;
import java.awt.Color;
import java.util.ArrayList;
import java.util.List;

/**
 * A live plot of training loss and the validation score per epoch, in one ImageJ Plot window that is
 * redrawn after every epoch. Only with a display; headless the CSV log and the log lines tell the same.
 */
public final class TrainingPlot {
    private final String title, scoreName;
    private final List<Double> epochs = new ArrayList<>(), losses = new ArrayList<>(), scores = new ArrayList<>();
    private PlotWindow window;

    public TrainingPlot(String title, String scoreName) {
        this.title = title;
        this.scoreName = scoreName;
    }

    public void add(int epoch, double loss, double score) {
        epochs.add((double) epoch);
        losses.add(loss);
        scores.add(score);
        if (!ResultsDisplay.available()) return;
        // One axis for both: the loss relative to the first epoch's (1 = where training started) and the score, both in 0..1-ish.
        double first = losses.get(0) > 0 ? losses.get(0) : 1;
        double[] x = epochs.stream().mapToDouble(Double::doubleValue).toArray();
        double[] relative = losses.stream().mapToDouble(l -> l / first).toArray(), s = scores.stream().mapToDouble(Double::doubleValue).toArray();
        Plot plot = new Plot(title, "epoch", "loss ÷ first epoch's loss;  " + scoreName);
        plot.setColor(new Color(214, 39, 40));
        plot.setLineWidth(2);
        plot.addPoints(x, relative, Plot.LINE);
        plot.addPoints(x, relative, Plot.CIRCLE);
        plot.setColor(new Color(31, 119, 180));
        plot.addPoints(x, s, Plot.LINE);
        plot.addPoints(x, s, Plot.CIRCLE);
        plot.setColor(Color.BLACK);
        plot.setLimits(0.5, Math.max(2, epochs.size()) + 0.5, 0, Math.max(1.05, java.util.Arrays.stream(relative).max().orElse(1) * 1.05));
        plot.setLegend("training loss (relative)\t\t" + scoreName + "\t", Plot.AUTO_POSITION); // one entry per line/circle pair
        if (window == null || !window.isVisible()) window = plot.show();
        else window.drawPlot(plot);
    }
}
