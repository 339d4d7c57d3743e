package org.cnnj.fiji;

import ij.IJ;
import ij.ImagePlus;
import ij.gui.Roi;
import java.awt.Rectangle;
import java.io.File;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import org.cnnj.det.DetectorSpec;
import org.cnnj.ij.ResultsDisplay;
import org.cnnj.ij.RoiZips;
import org.cnnj.ij.TrainingPlot;
import org.cnnj.model.BuiltInModels;
import org.cnnj.model.Sidecars;
import org.cnnj.seg.SegmentationSpec;
import org.cnnj.train.EpochReport;
import org.cnnj.train.TrainingListener;
import org.scijava.ItemIO;
import org.scijava.command.ContextCommand;
import org.scijava.log.LogService;
import org.scijava.plugin.Parameter;

/**
 * What every CNN-J command shares: a one-line summary as output, logging, and the rule that bad input
 * cancels the command with a message naming the problem instead of throwing into Fiji.
 */
public abstract class CnnjCommand extends ContextCommand {
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
            // A report of several lines (Model Info, Self-test) was logged line by line by its command: once is enough.
            if (summary.indexOf('\n') < 0) log.info("CNN-J: " + summary);
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

    /**
     * What a training command hears: a live plot of loss and validation score (with a display), a log line per epoch
     * with percentage, loss, score and ETA, the progress bar per step, detail lines (per-class precision and recall);
     * Esc sets {@code stop}, and the trainer then keeps the best model. {@code onImage}: the score is measured on the
     * training image itself, and the log says so.
     */
    protected TrainingListener trainingListener(File output, boolean onImage, AtomicBoolean stop) {
        TrainingPlot[] plot = {null}; // made at the first epoch: its score is named by what the training measures
        return new TrainingListener() {
            public void epoch(EpochReport e) {
                if (plot[0] == null)
                    plot[0] = new TrainingPlot(
                            "CNN-J training: " + output.getName(),
                            onImage
                                    ? e.metric() + " on the image"
                                    : e.validated() ? "validation " + e.metric() : "no validation");
                plot[0].add(e.epoch(), e.trainLoss(), e.validationScore());
                log.info(String.format(
                        Locale.ROOT,
                        "CNN-J epoch %d/%d (%.0f%%): loss %.4f, %s%s, ETA %.0f s",
                        e.epoch(),
                        e.epochs(),
                        100.0 * e.epoch() / e.epochs(),
                        e.trainLoss(),
                        onImage
                                ? String.format(Locale.ROOT, "%s on the image %.4f", e.metric(), e.validationScore())
                                : e.score(),
                        e.improved() ? " (best)" : "",
                        e.etaSeconds()));
            }

            public void step(int step, int total, float loss) {
                if (escapePressed()) stop.set(true);
            }

            public void progress(long done, long all) {
                CnnjCommand.progress((int) Math.min(Integer.MAX_VALUE, done), (int) Math.min(Integer.MAX_VALUE, all));
                if (done < all && done % 10 == 1)
                    status(String.format(
                            Locale.ROOT,
                            "CNN-J training: step %d of %d (Esc stops, keeping the best model)",
                            done,
                            all));
                else if (done == all) status("");
            }

            public void note(String line) {
                log.info("CNN-J" + line);
            }

            public void log(String line) {
                log.info("CNN-J: " + line);
                status("CNN-J: " + line);
            }
        };
    }

    /** Comma-separated names; empty or null gives none. */
    protected static List<String> names(String text) {
        return text == null || text.isBlank() ? List.of() : List.of(text.trim().split("\\s*,\\s*"));
    }

    /**
     * The ROIs to work on: those of {@code zip} when given, else the ROI Manager's ROIs of {@code image} (display only;
     * the ROIs of other images stay out, and the log says how many were taken and left). {@code what} names them in the
     * messages ("objects", "boxes"), {@code how} says how to add some. A ROI wholly outside the image is an error
     * naming it.
     */
    protected List<Roi> imageRois(File zip, ImagePlus image, String what, String how) throws IOException {
        List<Roi> rois;
        if (zip != null && !zip.getPath().isEmpty()) {
            rois = RoiZips.read(zip.toPath());
        } else {
            ResultsDisplay.ImageRois found = ResultsDisplay.roisOf(image);
            if (found == null)
                throw new IllegalArgumentException(
                        "no ROI Manager with " + what + " is open; " + how + ", or give rois=[zip]");
            if (found.rois().isEmpty()) {
                throw new IllegalArgumentException("the ROI Manager has no " + what + " of " + image.getTitle()
                        + (found.others() > 0 ? " (its " + found.others() + " ROIs belong to other images)" : "")
                        + "; " + how);
            }
            if (found.others() > 0) {
                log.info("CNN-J: " + found.rois().size() + " " + what + " of " + image.getTitle()
                        + " taken from the ROI" + " Manager; " + found.others() + " ROIs of other images left out");
            }
            rois = found.rois();
        }
        for (Roi r : rois) {
            Rectangle b = r.getBounds();
            if (b.x >= image.getWidth() || b.y >= image.getHeight() || b.x + b.width <= 0 || b.y + b.height <= 0) {
                throw new IllegalArgumentException("ROI \"" + r.getName() + "\" (at " + b.x + ", " + b.y + ", "
                        + b.width + " x " + b.height + ") lies outside " + image.getTitle() + " (" + image.getWidth()
                        + " x " + image.getHeight() + "); delete it from the ROI Manager or choose the image it was"
                        + " drawn on");
            }
        }
        return rois;
    }

    /** The sidecar of a detector file, or null when it is not (yet) one: for dialog defaults, where errors wait until the command runs. */
    protected static DetectorSpec detectorSpecOrNull(File model) {
        try {
            return DetectorSpec.read(Sidecars.of(BuiltInModels.resolve(model.toPath())));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The sidecar of a segmentation model file, or null when it is not (yet) one (dialog defaults, as {@link #detectorSpecOrNull}). */
    protected static SegmentationSpec modelSpecOrNull(File model) {
        if (model == null) return null;
        try {
            return SegmentationSpec.read(Sidecars.of(BuiltInModels.resolve(model.toPath())));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** ImageJ's status line (does nothing without an ImageJ window). */
    protected static void status(String text) {
        try {
            IJ.showStatus(text);
        } catch (RuntimeException | LinkageError e) {
            // headless without ImageJ 1: the log lines say it
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
