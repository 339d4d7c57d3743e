package org.cnnj.ij;

import ij.IJ;
import java.awt.GraphicsEnvironment;
import java.util.Locale;
import java.util.function.Consumer;
import org.cnnj.runtime.TiledPredictor;

/**
 * Tile progress of a long apply step: ImageJ's progress bar and status line when ImageJ runs, and
 * headless a log line at every further 10% with the ETA (tiles take about equally long).
 */
public final class ProgressReporter implements TiledPredictor.Progress {
    private final String what;
    private final Consumer<String> log;
    private final long start = System.nanoTime();
    private int lastDecile = 0;

    public ProgressReporter(String what, Consumer<String> log) {
        this.what = what;
        this.log = log;
    }

    @Override
    public void update(int done, int total) {
        double elapsed = (System.nanoTime() - start) / 1e9, eta = done == 0 ? 0 : elapsed * (total - done) / done;
        if (!GraphicsEnvironment.isHeadless() && IJ.getInstance() != null) {
            IJ.showProgress(done, total);
            IJ.showStatus(String.format(Locale.ROOT, "CNN-J %s: %d/%d tiles, ETA %.0f s", what, done, total, eta));
            return;
        }
        int decile = total == 0 ? 10 : 10 * done / total;
        if (total > 1 && decile > lastDecile && done < total) {
            lastDecile = decile;
            log.accept(String.format(
                    Locale.ROOT, "%s: %d%% (%d/%d tiles), ETA %.0f s", what, 10 * decile, done, total, eta));
        }
    }
}
