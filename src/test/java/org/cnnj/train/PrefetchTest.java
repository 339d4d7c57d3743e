package org.cnnj.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.cnnj.util.Rng;
import org.junit.jupiter.api.Test;

/** Batches made ahead come in the order the source makes them, on another thread, and failures reach the step. */
class PrefetchTest {
    @Test
    void sameBatchesInTheSameOrderMadeOnAnotherThread() {
        Rng direct = new Rng(3), ahead = new Rng(3);
        List<String> threads = new CopyOnWriteArrayList<>();
        try (Prefetch<Float> next = new Prefetch<>(() -> {
            threads.add(Thread.currentThread().getName());
            return ahead.normal();
        })) {
            for (int i = 0; i < 50; i++) assertEquals(direct.normal(), next.next(), 0f, "batch " + i);
        }
        assertTrue(threads.stream().allMatch("cnnj-batches"::equals), threads.toString());
        assertNotEquals(Thread.currentThread().getName(), threads.get(0));
    }

    @Test
    void theNextBatchIsMadeWhileTheStepRuns() throws InterruptedException {
        AtomicInteger made = new AtomicInteger();
        try (Prefetch<Integer> next = new Prefetch<>(made::incrementAndGet)) {
            assertEquals(1, next.next());
            for (int i = 0; i < 200 && made.get() < 2; i++) Thread.sleep(5); // the "step"
            assertEquals(2, made.get(), "batch 2 was made during the step, before it was asked for");
            assertEquals(2, next.next());
        }
    }

    @Test
    void aFailingBatchIsThrownToTheStep() {
        AtomicInteger calls = new AtomicInteger();
        try (Prefetch<Integer> next = new Prefetch<>(() -> {
            if (calls.incrementAndGet() == 2) throw new IllegalArgumentException("image 7 has no labels");
            return calls.get();
        })) {
            assertEquals(1, next.next());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, next::next);
            assertEquals("image 7 has no labels", e.getMessage());
        }
    }
}
