package org.cnnj.fiji;

import ij.IJ;
import ij.ImagePlus;
import ij.gui.Roi;
import ij.plugin.frame.RoiManager;
import java.awt.GraphicsEnvironment;
import java.io.File;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import org.cnnj.det.DetectorSpec;
import org.cnnj.ij.DetectFiles;
import org.cnnj.ij.TrainingPlot;
import org.cnnj.model.ModelSpec;
import org.scijava.ItemIO;
import org.scijava.command.ContextCommand;
import org.scijava.log.LogService;
import org.scijava.plugin.Parameter;

/**
 * What every CNN-J command shares: a one-line summary as output, logging, and the rule that bad input
 * cancels the command with a message naming the problem instead of throwing into Fiji.
 */
abstract class CnnjCommand extends ContextCommand {
    @Parameter(type = ItemIO.OUTPUT)
    protected String summary;

    @Parameter
    protected LogService log;

    /** The command's work; returns the summary line. */
    protected abstract String work() throws IOException;

    /** The menu label, for messages. */
    protected abstract String title();

    @Override
    public final void run() {
        try {
            summary = work();
            log.info("CNN-J: " + summary);
        } catch (IOException | RuntimeException e) {
            log.error("CNN-J " + title() + ": " + e.getMessage());
            cancel(e.getMessage());
        }
    }

    /** ImageJ 1's Esc flag when ImageJ runs; false headless. */
    protected static boolean escapePressed() {
        try {
            return IJ.escapePressed();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    /** After each training epoch: the live plot (with a display) and one log line with percentage, loss, score and ETA. */
    protected void epochDone(
            TrainingPlot plot,
            String scoreName,
            int epoch,
            int epochs,
            double loss,
            double score,
            boolean improved,
            double etaSeconds) {
        plot.add(epoch, loss, score);
        log.info(String.format(
                Locale.ROOT,
                "CNN-J epoch %d/%d (%.0f%%): loss %.4f, %s %.4f%s, ETA %.0f s",
                epoch,
                epochs,
                100.0 * epoch / epochs,
                loss,
                scoreName,
                score,
                improved ? " (best)" : "",
                etaSeconds));
    }

    /** After each training step: the progress bar, and Esc asks the trainer to stop (it keeps the best model). */
    protected static void trainingStep(int step, int total, AtomicBoolean stop) {
        progress(step, total);
        if (escapePressed()) stop.set(true);
    }

    /** Comma-separated names; empty or null gives none. */
    protected static List<String> names(String text) {
        return text == null || text.isBlank() ? List.of() : List.of(text.trim().split("\\s*,\\s*"));
    }

    /**
     * The ROIs to train on: those of {@code zip} when given, else the ROI Manager's (display only).
     * {@code what} names them in the message ("objects", "boxes"), {@code how} says how to add some.
     */
    protected static List<Roi> trainingRois(File zip, String what, String how) throws IOException {
        if (zip != null && !zip.getPath().isEmpty()) return DetectFiles.readRois(zip.toPath());
        RoiManager rm = GraphicsEnvironment.isHeadless() ? null : RoiManager.getInstance();
        if (rm == null)
            throw new IllegalArgumentException(
                    "no ROI Manager with " + what + " is open; " + how + ", or give rois=[zip]");
        return Arrays.asList(rm.getRoisAsArray());
    }

    /** The sidecar of a detector file, or null when it is not (yet) one: for dialog defaults, where errors wait until the command runs. */
    protected static DetectorSpec detectorSpecOrNull(File model) {
        try {
            return DetectorSpec.read(ModelSpec.sidecarOf(model.toPath()));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The sidecar of a segmentation model file, or null when it is not (yet) one (dialog defaults, as {@link #detectorSpecOrNull}). */
    protected static ModelSpec modelSpecOrNull(File model) {
        if (model == null) return null;
        try {
            return ModelSpec.read(ModelSpec.sidecarOf(model.toPath()));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** ImageJ's progress bar (does nothing without an ImageJ window). */
    protected static void progress(int done, int total) {
        try {
            IJ.showProgress(done, total);
        } catch (RuntimeException | LinkageError e) {
            // headless without ImageJ 1: the log lines carry the progress
        }
    }

    /** Commands on the open image: a clear message instead of a NullPointerException when there is none. */
    protected static void requireImage(ImagePlus image) {
        if (image == null || image.getWidth() == 0 || image.getImageStack().getSize() == 0)
            throw new IllegalArgumentException(
                    "no image is open; open an image first (File › Open), or use the file-based command");
    }
}
