package org.cnnj.cli;

import org.cnnj.train.EpochReport;
import org.cnnj.train.TrainingListener;

/** What a training on the command line prints: each epoch's line, its notes and the training's messages. */
final class Console implements TrainingListener {
    @Override
    public void epoch(EpochReport e) {
        System.out.println(e.line());
    }

    @Override
    public void note(String line) {
        System.out.println(line);
    }

    @Override
    public void log(String line) {
        System.out.println(line);
    }
}
