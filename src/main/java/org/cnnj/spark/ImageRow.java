package org.cnnj.spark;

import java.io.Serializable;

/**
 * What became of one image in a Spark run: a row of the run's images table. {@code status} is "done" or "failed";
 * {@code run} is the id of the run that wrote its results (an earlier run's for an image a restart skipped);
 * {@code message} says why it failed.
 */
record ImageRow(
        String image,
        String folder,
        String status,
        int objects,
        double seconds,
        String run,
        String executor,
        String message)
        implements Serializable {
    static final String DONE = "done", FAILED = "failed";
}
