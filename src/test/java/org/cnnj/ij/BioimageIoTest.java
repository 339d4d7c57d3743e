package org.cnnj.ij;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipFile;
import org.cnnj.model.NormalizationMethod;
import org.cnnj.model.Npy;
import org.cnnj.nn.Conv2d;
import org.cnnj.nn.Module;
import org.cnnj.onnx.OnnxExport;
import org.cnnj.runtime.Device;
import org.cnnj.runtime.OrtEngine;
import org.cnnj.seg.BioimageIo;
import org.cnnj.seg.SegmentationModel;
import org.cnnj.seg.SegmentationSpec;
import org.cnnj.tensor.Tensor;
import org.cnnj.util.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bioimage.io packages (spec 0.5): CNN-J's export follows the spec's rules, and packages, ours or hand-written, reopen. */
class BioimageIoTest {
    @TempDir
    Path dir;

    /**
     * The 0.5 model spec's rules that a package file can be checked against without the Python validator: required
     * fields and their types, axis types and sizes, halos inside the smallest output, every file present with its
     * sha256, ONNX weights with an opset.
     */
    static void assertFollowsTheSpec(Map<String, Object> rdf, Path folder) throws IOException {
        assertEquals("model", rdf.get("type"));
        assertTrue(String.valueOf(rdf.get("format_version")).matches("0\\.5\\.\\d+"), "format_version");
        for (String field : List.of("name", "description", "license", "documentation"))
            assertTrue(rdf.get(field) instanceof String s && !s.isBlank(), field + " is a non-empty string");
        assertTrue(Files.isRegularFile(folder.resolve((String) rdf.get("documentation"))), "documentation file");
        assertTrue(rdf.get("authors") instanceof List<?> a && !a.isEmpty(), "authors");
        for (Object a : (List<?>) rdf.get("authors"))
            assertTrue(((Map<?, ?>) a).get("name") instanceof String, "author name");
        for (Object c : (List<?>) rdf.get("cite")) {
            Map<?, ?> entry = (Map<?, ?>) c;
            assertTrue(
                    entry.get("text") instanceof String && (entry.containsKey("doi") || entry.containsKey("url")),
                    "cite");
        }
        for (Object cover : (List<?>) rdf.get("covers")) {
            assertTrue(String.valueOf(cover).matches(".*\\.(png|jpg|jpeg|gif|svg|tif|tiff)"), "cover format");
            assertTrue(Files.size(folder.resolve(String.valueOf(cover))) < 500_000, "cover under 500 kB");
        }
        Map<?, ?> input = (Map<?, ?>) ((List<?>) rdf.get("inputs")).get(0),
                output = (Map<?, ?>) ((List<?>) rdf.get("outputs")).get(0);
        int minimum = Integer.MAX_VALUE;
        for (Object o : (List<?>) input.get("axes")) {
            Map<?, ?> axis = (Map<?, ?>) o;
            assertTrue(List.of("batch", "channel", "space").contains(axis.get("type")), "axis type " + axis);
            if ("channel".equals(axis.get("type")))
                for (Object n : (List<?>) axis.get("channel_names"))
                    assertTrue(String.valueOf(n).matches("[A-Za-z_][A-Za-z0-9_]*"), "identifier " + n);
            if (axis.get("size") instanceof Map<?, ?> size) {
                int min = ((Number) size.get("min")).intValue(), step = ((Number) size.get("step")).intValue();
                assertTrue(min > 0 && step > 0, "min and step > 0");
                minimum = Math.min(minimum, min);
            }
        }
        for (Object o : (List<?>) output.get("axes")) {
            Map<?, ?> axis = (Map<?, ?>) o;
            if (axis.get("halo") instanceof Number halo) {
                Map<?, ?> ref = (Map<?, ?>) axis.get("size");
                assertEquals(input.get("id"), ref.get("tensor_id"), "a halo axis refers to an input axis's size");
                assertTrue(2 * halo.intValue() < minimum, "the halo leaves output at the smallest input size");
            }
        }
        for (Map<?, ?> tensor : List.of(input, output)) {
            Map<?, ?> test = (Map<?, ?>) tensor.get("test_tensor");
            Path file = folder.resolve(String.valueOf(test.get("source")));
            assertEquals(
                    test.get("sha256"), BioimageIo.sha256(Files.readAllBytes(file)), file.getFileName() + " sha256");
        }
        Map<?, ?> onnx = (Map<?, ?>) ((Map<?, ?>) rdf.get("weights")).get("onnx");
        assertTrue(onnx.get("opset_version") instanceof Integer v && v >= 7, "opset_version");
        assertEquals(
                onnx.get("sha256"),
                BioimageIo.sha256(Files.readAllBytes(folder.resolve(String.valueOf(onnx.get("source"))))));
    }

    /** Runs a package's model on its test input (preprocessed as its sidecar says) and compares with its test output. */
    static void assertReproducesItsTestTensors(BioimageIo.Package p) throws IOException {
        Npy.Array in = Npy.read(Files.readAllBytes(p.folder().resolve("test_input.npy")), "test_input.npy");
        Npy.Array expected = Npy.read(Files.readAllBytes(p.folder().resolve("test_output.npy")), "test_output.npy");
        int c = in.shape()[1], h = in.shape()[2], w = in.shape()[3];
        float[] x = new float[in.values().length];
        for (int ch = 0; ch < c; ch++) {
            float[] plane = new float[h * w];
            System.arraycopy(in.values(), ch * h * w, plane, 0, plane.length);
            System.arraycopy(p.spec().normalization().apply(plane), 0, x, ch * h * w, plane.length);
        }
        try (OrtEngine ort = OrtEngine.open(p.onnx(), Device.CPU, 1, line -> {})) {
            float[] y = ort.run(Tensor.of(x, 1, c, h, w)).data();
            assertEquals(expected.values().length, y.length);
            for (int i = 0; i < y.length; i++) {
                float e = expected.values()[i];
                assertEquals(e, y[i], 1e-4 * Math.max(1, Math.abs(e)), "value " + i);
            }
        }
    }

    @Test
    void exportsAPackageThatFollowsTheSpecAndReopensToItsTestTensors() throws Exception {
        Path zip = dir.resolve("nuclei.zip");
        BioimageIoExport.export(
                Path.of("models/nuclei.onnx"),
                zip,
                new BioimageIoExport.Description("CNN-J nuclei", "", List.of("CNN-J developers"), "CC-BY-4.0"));
        try (ZipFile z = new ZipFile(zip.toFile())) {
            for (String f : List.of(
                    "bioimageio.yaml",
                    "model.onnx",
                    "test_input.npy",
                    "test_output.npy",
                    "cover.png",
                    "README.md",
                    "cnnj.json")) assertTrue(z.getEntry(f) != null, f + " is in the package");
        }
        BioimageIo.Package p = BioimageIo.open(zip);
        assertFollowsTheSpec(p.rdf(), p.folder());
        String says = String.valueOf(((Map<?, ?>) ((List<?>) p.rdf().get("outputs")).get(0)).get("description"));
        assertTrue(
                says.contains("distance") && says.contains("1 − p(background)"), "says plainly what it gives: " + says);
        assertEquals(
                SegmentationSpec.read(Path.of("models/nuclei.json")).classes(),
                p.spec().classes(),
                "CNN-J's own sidecar");
        assertReproducesItsTestTensors(p);
        Path onnx = SegmentationModel.resolve(zip).onnx();
        assertEquals(p.onnx(), onnx, "every --model takes the package");
        Path again = dir.resolve("again.zip");
        BioimageIoExport.export(
                Path.of("models/nuclei.onnx"),
                again,
                new BioimageIoExport.Description("CNN-J nuclei", "", List.of("CNN-J developers"), "CC-BY-4.0"));
        assertTrue(Arrays.equals(Files.readAllBytes(zip), Files.readAllBytes(again)), "same model, same bytes");
        // Renamed by another tool to any name the specification allows, the package reopens the same.
        for (String name : List.of("rdf.yaml", "nuclei.bioimageio.yaml", "nuclei.rdf.yaml")) {
            Path copy = Files.createDirectories(dir.resolve(name.replace('.', '-')));
            try (var files = Files.list(p.folder())) {
                for (Path f : files.toList()) Files.copy(f, copy.resolve(f.getFileName()));
            }
            Files.move(copy.resolve("bioimageio.yaml"), copy.resolve(name));
            Files.delete(copy.resolve("cnnj.json")); // as a tool that keeps only the description's files would
            BioimageIo.Package renamed = BioimageIo.open(copy);
            assertEquals(p.spec().classes(), renamed.spec().classes(), name);
            assertEquals(p.spec().tileMultiple(), renamed.spec().tileMultiple(), name);
            assertEquals(p.spec().halo(), renamed.spec().halo(), name);
        }
    }

    /** A package written by hand (not by CNN-J: no cnnj.json): its description alone says how to run it. */
    @Test
    void aHandWrittenPackageIsReadFromItsDescription() throws Exception {
        Module net = new Module() {
            final Conv2d conv = child("conv", new Conv2d(1, 2, 3, new Rng(3)));

            public Tensor forward(Tensor x) {
                return conv.forward(x);
            }
        };
        Files.write(dir.resolve("weights.onnx"), OnnxExport.export(net, new int[] {1, 1, 32, 32}, Map.of()));
        Rng rng = new Rng(4);
        float[] x = new float[32 * 32];
        for (int i = 0; i < x.length; i++) x[i] = 100 * rng.uniform();
        Files.write(dir.resolve("in.npy"), Npy.write(new int[] {1, 1, 32, 32}, x));
        float[] y;
        try (OrtEngine ort = OrtEngine.open(dir.resolve("weights.onnx"), Device.CPU, 1, line -> {})) {
            y = ort.run(Tensor.of(x, 1, 1, 32, 32)).data();
        }
        Files.write(dir.resolve("out.npy"), Npy.write(new int[] {1, 2, 32, 32}, y));
        String rdf = """
                type: model
                format_version: 0.5.3
                name: two channels
                description: a 3x3 convolution
                authors: [{name: Someone}]
                cite: [{text: none, url: "https://example.org"}]
                license: MIT
                documentation: README.md
                inputs:
                  - id: raw
                    axes:
                      - {type: batch}
                      - {type: channel, channel_names: [dapi]}
                      - {type: space, id: y, size: {min: 24, step: 8}}
                      - {type: space, id: x, size: {min: 24, step: 8}}
                    test_tensor: {source: in.npy}
                outputs:
                  - id: prediction
                    axes:
                      - {type: batch}
                      - {type: channel, channel_names: [foreground, background]}
                      - {type: space, id: y, size: {tensor_id: raw, axis_id: y}, halo: 4}
                      - {type: space, id: x, size: {tensor_id: raw, axis_id: x}, halo: 4}
                    test_tensor: {source: out.npy}
                weights:
                  onnx: {source: weights.onnx, opset_version: 17}
                """;
        Path yaml = dir.resolve("rdf.yaml");
        Files.writeString(yaml, rdf);
        Files.writeString(dir.resolve("README.md"), "# two channels\n");
        BioimageIo.Package p = BioimageIo.open(yaml);
        assertEquals(1, p.spec().inputChannels());
        assertEquals(List.of("foreground", "background"), p.spec().classes());
        assertEquals(8, p.spec().tileMultiple());
        assertEquals(8, p.spec().halo(), "the halo rounded up to a tile step");
        assertEquals(NormalizationMethod.NONE, p.spec().normalization().method());
        Files.copy(dir.resolve("in.npy"), dir.resolve("test_input.npy"));
        Files.copy(dir.resolve("out.npy"), dir.resolve("test_output.npy"));
        assertReproducesItsTestTensors(p);

        Files.writeString(
                yaml,
                rdf.replace("onnx: {source: weights.onnx, opset_version: 17}", "pytorch_state_dict: {source: w.pt}"));
        var other = assertThrows(IOException.class, () -> BioimageIo.open(yaml));
        assertTrue(
                other.getMessage().contains("none of them ONNX")
                        && other.getMessage().contains("bioimageio add-weights"),
                other.getMessage());
        Files.writeString(
                yaml,
                rdf.replace(
                        "test_tensor: {source: in.npy}",
                        "test_tensor: {source: in.npy}\n    preprocessing: [{id: zero_mean_unit_variance}]"));
        assertEquals(
                "zero_mean_unit_variance",
                BioimageIo.open(yaml).spec().tensorIo().preprocessing().get(0).id(),
                "the specification's preprocessing is run, not refused");
        Files.writeString(
                yaml,
                rdf.replace(
                        "test_tensor: {source: in.npy}",
                        "test_tensor: {source: in.npy}\n    preprocessing: [{id: equalize}]"));
        var pre = assertThrows(IOException.class, () -> BioimageIo.open(yaml));
        assertTrue(pre.getMessage().contains("equalize"), pre.getMessage());
    }

    /**
     * A package may only name its own files: weights given as an absolute path or as ../ to another model on the disk
     * are refused, and opening a package writes nothing beside that model (nor beside the package).
     */
    @Test
    void aPackageThatNamesFilesOutsideItselfIsRefusedAndChangesNothing() throws Exception {
        Path victim = Files.createDirectories(dir.resolve("victim"));
        Files.copy(Path.of("models/nuclei.onnx"), victim.resolve("nuclei.onnx"));
        String sidecar = Files.readString(Path.of("models/nuclei.json"));
        Files.writeString(victim.resolve("nuclei.json"), sidecar);
        Path pkg = Files.createDirectories(dir.resolve("pkg"));
        for (String source : new String[] {
            "../victim/nuclei.onnx", victim.resolve("nuclei.onnx").toString()
        }) {
            Files.writeString(
                    pkg.resolve("rdf.yaml"),
                    "type: model\nformat_version: 0.5.3\nname: hostile\ninputs: []\noutputs: []\n"
                            + "weights:\n  onnx: {source: \"" + source + "\"}\n");
            var e = assertThrows(IOException.class, () -> BioimageIo.open(pkg.resolve("rdf.yaml")));
            assertTrue(e.getMessage().contains("outside the package"), e.getMessage());
        }
        assertEquals(
                sidecar, Files.readString(victim.resolve("nuclei.json")), "the other model's sidecar is untouched");
        try (var files = Files.list(victim)) {
            assertEquals(2, files.count(), "nothing written beside the other model");
        }
        try (var files = Files.list(pkg)) {
            assertEquals(1, files.count(), "nothing written beside the package");
        }
    }

    @Test
    void anExportWithoutAnAuthorOrWithABadLicenceIsRefusedBeforeAnythingIsWritten() {
        var noAuthor = assertThrows(
                IllegalArgumentException.class,
                () -> new BioimageIoExport.Description("n", "", List.of(" ", ""), "MIT"));
        assertTrue(noAuthor.getMessage().contains("at least one author"), noAuthor.getMessage());
        var badLicence = assertThrows(
                IllegalArgumentException.class,
                () -> new BioimageIoExport.Description("n", "", List.of("Ada"), "free for all"));
        assertTrue(badLicence.getMessage().contains("SPDX"), badLicence.getMessage());
        assertEquals(List.of("Ada"), new BioimageIoExport.Description("n", "", List.of(" Ada ", ""), "MIT").authors());
    }
}
