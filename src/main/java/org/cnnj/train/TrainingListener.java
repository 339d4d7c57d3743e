package org.cnnj.train;

/** What a training tells its caller (CLI lines, the Fiji plot and progress bar), the same for every task. */
public interface TrainingListener {
    void epoch(EpochReport e);

    /** After each step: its number within the epoch, the epoch's steps, the step's (total) loss. */
    default void step(int step, int stepsPerEpoch, float loss) {}

    /** After each step, over the whole run: steps done and steps in all (done == all at the end, also when stopped). */
    default void progress(long done, long all) {}

    /** A line of detail after an epoch's report (e.g. a classifier's per-class precision and recall). */
    default void note(String line) {}

    /** A message about the training and its data (anchor sizes chosen, images left out); standard error unless heard. */
    default void log(String line) {
        System.err.println(line);
    }
}
