package org.cnnj.fiji;

import java.io.IOException;
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
            return ij.IJ.escapePressed();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    /** ImageJ's progress bar (does nothing without an ImageJ window). */
    protected static void progress(int done, int total) {
        try {
            ij.IJ.showProgress(done, total);
        } catch (RuntimeException | LinkageError e) {
            // headless without ImageJ 1: the log lines carry the progress
        }
    }

    /** Commands on the open image: a clear message instead of a NullPointerException when there is none. */
    protected static void requireImage(ij.ImagePlus image) {
        if (image == null || image.getWidth() == 0 || image.getImageStack().getSize() == 0) throw new IllegalArgumentException("no image is open; open an image first (File › Open), or use the file-based command");
    }
}
