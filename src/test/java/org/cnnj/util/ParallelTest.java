package org.cnnj.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ParallelTest {
    private final int threadsBefore = Parallel.threads();

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(threadsBefore);
    }

    @Test
    void everyItemRunsExactlyOnceAtAnyThreadCount() {
        for (int threads : new int[] {1, 2, 3, 5}) {
            Parallel.setThreads(threads);
            for (int count = 0; count <= 70; count++) {
                AtomicIntegerArray runs = new AtomicIntegerArray(Math.max(count, 1));
                Parallel.forEach(count, runs::incrementAndGet);
                for (int i = 0; i < count; i++)
                    assertEquals(1, runs.get(i), threads + " threads, item " + i + "/" + count);
            }
        }
    }

    @Test
    void helpersRunItemsAtTheSameTimeAsTheCallerEvenAfterParking() throws Exception {
        Parallel.setThreads(2);
        for (int round = 0; round < 3; round++) {
            // Each item waits for the other: the loop finishes only if two threads run it at once.
            CountDownLatch both = new CountDownLatch(2);
            boolean[] met = new boolean[2];
            assertTimeoutPreemptively(
                    Duration.ofSeconds(20),
                    () -> Parallel.forEach(2, i -> {
                        both.countDown();
                        try {
                            met[i] = both.await(10, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }));
            assertTrue(met[0] && met[1], "round " + round + ": the two items did not run at the same time");
            Thread.sleep(20); // long enough for the helper to park
        }
    }

    @Test
    void nestedLoopsRunInline() {
        Parallel.setThreads(3);
        AtomicIntegerArray runs = new AtomicIntegerArray(6 * 7);
        Parallel.forEach(6, i -> Parallel.forEach(7, j -> runs.incrementAndGet(i * 7 + j)));
        for (int k = 0; k < runs.length(); k++) assertEquals(1, runs.get(k), "item " + k);
    }

    @Test
    void theFirstFailureReachesTheCallerAndThePoolKeepsWorking() {
        Parallel.setThreads(2);
        IllegalArgumentException thrown = new IllegalArgumentException("item 5");
        IllegalArgumentException seen = assertThrows(
                IllegalArgumentException.class,
                () -> Parallel.forEach(40, i -> {
                    if (i == 5) throw thrown;
                }));
        assertSame(thrown, seen);
        AtomicIntegerArray runs = new AtomicIntegerArray(40);
        Parallel.forEach(40, runs::incrementAndGet);
        for (int i = 0; i < 40; i++) assertEquals(1, runs.get(i));
    }

    @Test
    void loopsFromSeveralThreadsAtOnceAllComplete() throws Exception {
        Parallel.setThreads(2);
        List<Thread> callers = new ArrayList<>();
        AtomicIntegerArray runs = new AtomicIntegerArray(4 * 300 * 9);
        for (int t = 0; t < 4; t++) {
            int caller = t;
            callers.add(new Thread(() -> {
                for (int loop = 0; loop < 300; loop++) {
                    int base = (caller * 300 + loop) * 9;
                    Parallel.forEach(9, i -> runs.incrementAndGet(base + i));
                }
            }));
        }
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (Thread c : callers) c.start();
            for (Thread c : callers) c.join();
        });
        for (int k = 0; k < runs.length(); k++) assertEquals(1, runs.get(k), "item " + k);
    }

    @Test
    void replacedPoolsLetTheirHelpersGo() throws Exception {
        Parallel.setThreads(4);
        Parallel.forEach(8, i -> {});
        Parallel.setThreads(1);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (helpersAlive() > 0 && System.nanoTime() < deadline) Thread.sleep(10);
        assertEquals(0, helpersAlive());
    }

    private static long helpersAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("cnnj-compute-") && t.isAlive())
                .count();
    }
}
