package org.cnnj.catalog;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.cnnj.model.BuiltInModels;
import org.junit.jupiter.api.Test;

/** Model Info reads as sentences a user understands, for every kind of model and for the built-in names. */
class ModelReportTest {
    @Test
    void everyKindOfModelIsDescribedInWords() throws Exception {
        String seg = ModelReport.describe(Path.of(BuiltInModels.NUCLEI));
        assertTrue(seg.startsWith("nuclei (built-in)"), seg);
        assertTrue(seg.contains("What it does: segments objects") && seg.contains("objects 16.4 px across"), seg);
        assertTrue(seg.contains("command: ./cnnj train-seg"), seg);
        assertFalse(seg.contains("Normalization[") || seg.contains("UNetConfig["), "no record dumps: " + seg);
        String det = ModelReport.describe(Path.of(BuiltInModels.CELL_SHAPES));
        assertTrue(det.contains("finds objects of the classes round, elongated"), det);
        String cls = ModelReport.describe(Path.of(BuiltInModels.CELLS));
        assertTrue(cls.contains("tells which of apoptotic, elongated, interphase, mitotic"), cls);
        assertTrue(cls.contains("each crop scaled"), cls);
        String external = ModelReport.describe(Path.of("src/test/resources/external/torch_unet.onnx"));
        assertTrue(external.contains("A model from elsewhere") && external.contains("gives logits"), external);
    }
}
