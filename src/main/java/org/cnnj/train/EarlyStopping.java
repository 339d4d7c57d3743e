package org.cnnj.train;

/** Stops training after {@code patience} epochs in a row without a better validation score (0: never). */
final class EarlyStopping {
    private final int patience;
    private int sinceBest;

    EarlyStopping(int patience) {
        this.patience = patience;
    }

    /** After an epoch: whether to stop now. */
    boolean stop(boolean improved) {
        sinceBest = improved ? 0 : sinceBest + 1;
        return patience > 0 && sinceBest >= patience;
    }
}
