package org.cnnj.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/** Damaged copies of a good file for fuzz tests of the readers: some cut short, the others with bytes changed. */
public final class Damaged {
    private Damaged() {}

    /** A reader under test. */
    public interface Reader {
        void read(Path file) throws IOException;
    }

    /**
     * {@code count} copies of {@code whole} from a fixed {@code seed}: every {@code cutEvery}-th cut at a random length
     * (at least {@code keep} bytes), the others with one to three bytes after the first {@code keep} given random
     * values.
     */
    public static List<byte[]> copies(byte[] whole, int count, int cutEvery, int keep, long seed) {
        Random random = new Random(seed);
        List<byte[]> out = new ArrayList<>();
        for (int trial = 0; trial < count; trial++) {
            if (trial % cutEvery == 0) {
                out.add(Arrays.copyOf(whole, keep + random.nextInt(whole.length - keep)));
                continue;
            }
            byte[] bad = whole.clone();
            for (int k = 0, n = 1 + random.nextInt(3); k < n; k++)
                bad[keep + random.nextInt(bad.length - keep)] = (byte) random.nextInt(256);
            out.add(bad);
        }
        return out;
    }

    /**
     * Writes each copy to {@code file} and reads it: it reads, or fails with an IOException naming the file — never
     * another exception (which would reach a Fiji user as a stack trace).
     */
    public static void readOrNamed(List<byte[]> copies, Path file, Reader reader) throws IOException {
        for (byte[] bad : copies) {
            Files.write(file, bad);
            try {
                reader.read(file);
            } catch (IOException e) {
                assertTrue(e.getMessage().contains(file.getFileName().toString()), e.getMessage());
            }
        }
    }
}
