package org.cnnj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.cnnj.model.BuiltInModels;
import org.cnnj.model.Sidecars;
import org.cnnj.seg.SegmentationEnsemble;
import org.cnnj.seg.SegmentationSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./cnnj ensemble}: the models named, one model file written; mistakes named. */
class EnsembleCommandTest {
    @TempDir
    Path dir;

    @Test
    void writesOneModelOfTheModelsNamed() throws Exception {
        Path out = dir.resolve("pair.onnx");
        assertEquals(0, EnsembleCommand.run(new String[] {
            "--model", BuiltInModels.NUCLEI, "--model", BuiltInModels.NUCLEI, "--output", out.toString()
        }));
        assertTrue(Files.size(out) > 2 * 7_000_000L, "both networks are in the file");
        assertTrue(SegmentationEnsemble.isEnsemble(SegmentationSpec.read(Sidecars.of(out))));
    }

    @Test
    void mistakesAreNamed() {
        var missing = assertThrows(
                IllegalArgumentException.class, () -> EnsembleCommand.run(new String[] {"--model", "a.onnx"}));
        assertTrue(missing.getMessage().contains("--output are required"), missing.getMessage());
        var one = assertThrows(
                IllegalArgumentException.class,
                () -> EnsembleCommand.run(new String[] {
                    "--model",
                    BuiltInModels.NUCLEI,
                    "--output",
                    dir.resolve("e.onnx").toString()
                }));
        assertTrue(one.getMessage().contains("at least two models"), one.getMessage());
        var absent = assertThrows(
                IOException.class,
                () -> EnsembleCommand.run(new String[] {
                    "--model",
                    BuiltInModels.NUCLEI,
                    "--model",
                    dir.resolve("nope.onnx").toString(),
                    "--output",
                    dir.resolve("e.onnx").toString()
                }));
        assertTrue(absent.getMessage().contains("nope.onnx"), absent.getMessage());
    }
}
