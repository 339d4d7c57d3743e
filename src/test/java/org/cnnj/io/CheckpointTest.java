package org.cnnj.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.cnnj.loss.SoftmaxCrossEntropy;
import org.cnnj.optim.Adam;
import org.cnnj.optim.AdamConfig;
import org.cnnj.seg.UNet;
import org.cnnj.seg.UNetConfig;
import org.cnnj.tensor.Autograd;
import org.cnnj.tensor.Tensor;
import org.cnnj.util.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {
    @TempDir
    Path dir;

    private static final UNetConfig CONFIG = new UNetConfig(1, 2, 2, 4, true, false, 0f);

    private static void step(UNet net, Adam adam, long seed) {
        Rng rng = new Rng(seed);
        float[] img = new float[2 * 16 * 16];
        int[] labels = new int[img.length];
        for (int i = 0; i < img.length; i++) {
            img[i] = rng.normal();
            labels[i] = img[i] > 0.3f ? 1 : 0;
        }
        adam.zeroGrad();
        Autograd.backward(SoftmaxCrossEntropy.apply(net.forward(Tensor.of(img, 2, 1, 16, 16)), labels));
        adam.step();
    }

    @Test
    void resumingFromACheckpointContinuesExactlyLikeAnUninterruptedRun() throws IOException {
        UNet a = new UNet(CONFIG, new Rng(1));
        Adam adamA = new Adam(a.parameters(), AdamConfig.adam(1e-2));
        step(a, adamA, 10);
        Path file = dir.resolve("model.ckpt");
        Checkpoint.save(file, a, adamA, Map.of("epoch", "1", "note", "ünïcode ok"));
        step(a, adamA, 11);

        UNet b = new UNet(CONFIG, new Rng(999)); // different init: everything must come from the file
        Adam adamB = new Adam(b.parameters(), AdamConfig.adam(1e-2));
        Checkpoint.Contents c = Checkpoint.load(file, b, adamB);
        assertEquals("1", c.meta().get("epoch"));
        assertEquals("ünïcode ok", c.meta().get("note"));
        assertEquals(1, adamB.steps());
        step(b, adamB, 11);
        a.parameters()
                .forEach((k, t) ->
                        assertArrayEquals(t.data(), b.parameters().get(k).data(), k));
        a.buffers().forEach((k, v) -> assertArrayEquals(v, b.buffers().get(k), k));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary files left behind");
        }
    }

    @Test
    void truncatedWrongAndMissingFilesAreExplained() throws IOException {
        UNet net = new UNet(CONFIG, new Rng(1));
        Path file = dir.resolve("m.ckpt");
        Checkpoint.save(file, net, null, null);
        byte[] bytes = Files.readAllBytes(file);
        Path cut = dir.resolve("cut.ckpt");
        Files.write(cut, Arrays.copyOf(bytes, bytes.length / 2));
        assertTrue(assertThrows(IOException.class, () -> Checkpoint.load(cut, net, null))
                .getMessage()
                .contains("truncated"));

        Path text = dir.resolve("notes.txt");
        Files.writeString(text, "hello world, not a model");
        assertTrue(assertThrows(IOException.class, () -> Checkpoint.load(text, net, null))
                .getMessage()
                .contains("not a CNN-J checkpoint"));

        assertTrue(assertThrows(IOException.class, () -> Checkpoint.load(dir.resolve("nope.ckpt"), net, null))
                .getMessage()
                .contains("does not exist"));

        UNet other = new UNet(new UNetConfig(1, 2, 2, 8, true, false, 0f), new Rng(1));
        float[] before = other.parameters().get("head.weight").data().clone();
        var e = assertThrows(IOException.class, () -> Checkpoint.load(file, other, null));
        assertTrue(e.getMessage().contains("shape"), e.getMessage());
        assertArrayEquals(before, other.parameters().get("head.weight").data(), "a failed load changes nothing");
    }

    @Test
    void aFailedSaveKeepsThePreviousFile() throws IOException {
        UNet net = new UNet(CONFIG, new Rng(1));
        Path file = dir.resolve("keep.ckpt");
        Checkpoint.save(file, net, null, null);
        byte[] good = Files.readAllBytes(file);
        assertThrows(
                IOException.class,
                () -> AtomicFiles.write(file, out -> {
                    out.write(new byte[100]);
                    throw new IOException("disk full (simulated)");
                }));
        assertArrayEquals(good, Files.readAllBytes(file));
        try (var files = Files.list(dir)) {
            assertFalse(files.anyMatch(p -> p.getFileName().toString().endsWith(".tmp")));
        }
    }
}
