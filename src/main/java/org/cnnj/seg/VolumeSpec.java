package org.cnnj.seg;

import com.google.gson.JsonElement;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cnnj.model.Normalization;
import org.cnnj.model.Sidecars;
import org.cnnj.onnx.OnnxModelInfo;

/**
 * The JSON sidecar of a 3-D instance model (model.onnx → model.json): what applying it needs.
 *
 * @param format         sidecar format version (1)
 * @param axes           input layout, "NCDHW"
 * @param task           "instances-3d": output channel 0 is the foreground logit, channel 1 the logit of each voxel's
 *                       normalized distance to its object's outline (3-D, in physical units); objects are the basins of
 *                       that map (seeded 3-D watershed)
 * @param inputChannels  channels the network expects
 * @param outputs        output channel names: foreground, distance
 * @param normalization  how raw values were scaled in training (percentiles over the whole volume)
 * @param tileMultiple   depth, height and width of an input block must be multiples of these (d, h, w)
 * @param halo           voxels of context around each block (d, h, w) so blocks equal the whole volume
 * @param architecture   the 3-D U-Net (lets the Java engine rebuild it)
 * @param voxel          voxel size (z, y, x) of the training volumes, in {@code unit}
 * @param unit           unit of {@code voxel} (e.g. µm; "pixel" when the training volumes had no calibration)
 * @param objectDiameter median object diameter in xy voxels at the training scale: volumes are rescaled so their objects
 *                       have this size, and their z spacing over xy spacing that of {@code voxel}, before the model
 * @param splitDepth     how far the distance map must dip between two peaks for them to be two objects (0..1)
 * @param provenance     how the model was made: command, data, date, CNN-J version
 */
public record VolumeSpec(
        int format,
        String axes,
        String task,
        int inputChannels,
        List<String> outputs,
        Normalization normalization,
        int[] tileMultiple,
        int[] halo,
        VolumeUNetConfig architecture,
        double[] voxel,
        String unit,
        double objectDiameter,
        double splitDepth,
        Map<String, String> provenance) {
    public static final List<String> OUTPUTS = List.of("foreground", "distance");

    public VolumeSpec {
        if (!"NCDHW".equals(axes))
            throw new IllegalArgumentException("3-D model sidecar: axes must be \"NCDHW\", got \"" + axes + "\"");
        if (!Sidecars.VOLUME.equals(task))
            throw new IllegalArgumentException("3-D model sidecar: task must be \"" + Sidecars.VOLUME + "\"");
        if (inputChannels < 1)
            throw new IllegalArgumentException("3-D model sidecar: inputChannels must be >= 1, got " + inputChannels);
        if (!OUTPUTS.equals(outputs))
            throw new IllegalArgumentException("3-D model sidecar: outputs must be " + OUTPUTS + ", got " + outputs);
        if (normalization == null) throw new IllegalArgumentException("3-D model sidecar: normalization is missing");
        if (tileMultiple == null || tileMultiple.length != 3 || halo == null || halo.length != 3)
            throw new IllegalArgumentException("3-D model sidecar: tileMultiple and halo take three values (d, h, w)");
        for (int a = 0; a < 3; a++)
            if (tileMultiple[a] < 1 || halo[a] < 0 || halo[a] % tileMultiple[a] != 0)
                throw new IllegalArgumentException("3-D model sidecar: tileMultiple must be >= 1 and halo a multiple"
                        + " of it, got " + Arrays.toString(tileMultiple) + " and " + Arrays.toString(halo));
        if (voxel == null || voxel.length != 3 || Arrays.stream(voxel).anyMatch(v -> !(v > 0)))
            throw new IllegalArgumentException("3-D model sidecar: voxel must be three positive sizes (z, y, x)");
        if (!(objectDiameter >= 3 && objectDiameter < 1000))
            throw new IllegalArgumentException(
                    "3-D model sidecar: objectDiameter must be 3..1000 voxels, got " + objectDiameter);
        if (!(splitDepth > 0 && splitDepth < 1))
            throw new IllegalArgumentException("3-D model sidecar: splitDepth must be in (0, 1), got " + splitDepth);
        tileMultiple = tileMultiple.clone();
        halo = halo.clone();
        voxel = voxel.clone();
        unit = unit == null ? "pixel" : unit;
        provenance = provenance == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(provenance));
        outputs = List.copyOf(outputs);
    }

    /** The sidecar of a 3-D U-Net CNN-J trained: halo = its receptive field rounded up to the multiple. */
    public static VolumeSpec forUNet(
            VolumeUNetConfig c, double[] voxel, String unit, double diameter, Map<String, String> provenance) {
        int[] m = c.sizeMultiple(), r = c.receptiveRadius(), halo = new int[3];
        for (int a = 0; a < 3; a++) halo[a] = (r[a] + m[a] - 1) / m[a] * m[a];
        return new VolumeSpec(
                1,
                "NCDHW",
                Sidecars.VOLUME,
                c.inChannels(),
                OUTPUTS,
                Normalization.percentile(1, 99.8),
                m,
                halo,
                c,
                voxel,
                unit,
                diameter,
                0.1,
                provenance);
    }

    /** z spacing over xy spacing of the training voxels. */
    public double zRatio() {
        return voxel[0] / ((voxel[1] + voxel[2]) / 2);
    }

    public VolumeSpec withSplitDepth(double d) {
        return new VolumeSpec(
                format,
                axes,
                task,
                inputChannels,
                outputs,
                normalization,
                tileMultiple,
                halo,
                architecture,
                voxel,
                unit,
                objectDiameter,
                d,
                provenance);
    }

    /** Whether {@code model}'s sidecar describes a 3-D model (false without a sidecar or for another task). */
    public static boolean describes(Path model) {
        Path json = Sidecars.of(model);
        if (!Files.isRegularFile(json)) return false;
        try {
            return Sidecars.VOLUME.equals(Sidecars.task(Sidecars.parse(json, "")));
        } catch (IOException e) {
            return false;
        }
    }

    public static VolumeSpec read(Path json) throws IOException {
        JsonElement tree = Sidecars.parse(json, "model sidecar " + json + " does not exist");
        if (!Sidecars.VOLUME.equals(Sidecars.task(tree))) {
            throw new IOException(json + " describes a 2-D model (task " + Sidecars.task(tree) + "), not a 3-D one;"
                    + " a 2-D model segments a stack slice by slice (./cnnj segment --slices linked)");
        }
        return Sidecars.convert(tree, VolumeSpec.class, json, "it should describe the 3-D model");
    }

    /** Refuses a sidecar whose channels do not fit its ONNX graph (or a graph that does not take volumes). */
    public void checkAgainst(Path model) throws IOException {
        OnnxModelInfo info = OnnxModelInfo.read(model);
        if (info.inputs().isEmpty() || info.inputs().get(0).dims().length != 5)
            throw new IllegalArgumentException(model.getFileName() + " does not take [N, C, D, H, W] volumes but its"
                    + " sidecar says it is a 3-D model; use the sidecar that came with the model");
        long c = info.inputs().get(0).dims()[1];
        if (c > 0 && c != inputChannels)
            throw new IllegalArgumentException(Sidecars.of(model).getFileName() + " says the model takes "
                    + inputChannels + " channel(s) but " + model.getFileName() + " takes " + c);
    }

    public void write(Path json) throws IOException {
        Sidecars.write(this, json);
    }
}
