package org.cnnj.train;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * The next training batch, made on a background thread while the current step computes: patch sampling,
 * rescaling and augmentation overlap forward and backward instead of adding to them. One thread calls the
 * source, one batch at a time and in order, so the batches (and the training) are the same as without it.
 * Close it when training ends; a failure while making a batch is thrown by {@link #next}.
 */
public final class Prefetch<T> implements AutoCloseable {
    private final Supplier<T> source;
    private final ExecutorService thread;
    private Future<T> pending;

    public Prefetch(Supplier<T> source) {
        this.source = source;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "cnnj-batches");
            t.setDaemon(true); // never keeps Fiji or the CLI alive
            return t;
        });
    }

    /** The batch made ahead (made now on the first call), and the start of the one after it. */
    public T next() {
        if (pending == null) pending = thread.submit(source::get);
        T batch;
        try {
            batch = pending.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("training was interrupted while waiting for a batch", e);
        } catch (ExecutionException e) {
            pending = null;
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw new IllegalStateException("making a training batch failed: " + e.getCause(), e.getCause());
        }
        pending = thread.submit(source::get);
        return batch;
    }

    /** Stops the thread; a batch being made ahead is discarded. */
    @Override
    public void close() {
        thread.shutdownNow();
    }
}
