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
        Plot plot = new Plot(title, "epoch", "loss (red), " + scoreName + " (blue)");
        plot.setColor(Color.RED);
        plot.addPoints(epochs.stream().mapToDouble(Double::doubleValue).toArray(), losses.stream().mapToDouble(Double::doubleValue).toArray(), Plot.CONNECTED_CIRCLES);
        plot.setColor(Color.BLUE);
        plot.addPoints(epochs.stream().mapToDouble(Double::doubleValue).toArray(), scores.stream().mapToDouble(Double::doubleValue).toArray(), Plot.CONNECTED_CIRCLES);
        plot.setLimitsToFit(false);
        if (window == null || !window.isVisible()) window = plot.show();
        else window.drawPlot(plot);
    }
}
