package org.cnnj.io;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.cnnj.nn.Module;
import org.cnnj.optim.Optimizer;
import org.cnnj.tensor.Tensor;

/**
 * Weights, buffers, optimizer state and text metadata in one file.
 *
 * <p>Format (big-endian, as java.io.DataOutput writes it):
 * <pre>
 *   "CNNJCKPT"           8 ASCII bytes
 *   int32 version        1
 *   int32 entries
 *   per entry:
 *     UTF  name          "param/enc0.0.conv.weight", "buffer/…running_mean", "optim/…/m", "optim/step", "meta/…"
 *     byte kind          0 = float32 array, 1 = UTF string
 *     kind 0: int32 rank, int32[rank] dims, float32[product of dims] values
 *     kind 1: UTF value
 * </pre>
 * Written to a temporary file and renamed, so an interrupted save keeps the previous checkpoint.
 */
public final class Checkpoint {
    private static final byte[] MAGIC = "CNNJCKPT".getBytes(StandardCharsets.US_ASCII);
    private static final int VERSION = 1;

    /** The contents of a checkpoint file. */
    public record Contents(Map<String, float[]> arrays, Map<String, int[]> shapes, Map<String, String> meta) {}

    private Checkpoint() {}

    public static void save(Path file, Module model, Optimizer optimizer, Map<String, String> meta) throws IOException {
        Map<String, float[]> arrays = new LinkedHashMap<>();
        Map<String, int[]> shapes = new LinkedHashMap<>();
        model.parameters().forEach((k, t) -> {
            arrays.put("param/" + k, t.data());
            shapes.put("param/" + k, t.shape());
        });
        model.buffers().forEach((k, b) -> arrays.put("buffer/" + k, b));
        if (optimizer != null) optimizer.state().forEach((k, v) -> arrays.put("optim/" + k, v));
        AtomicFiles.write(file, os -> {
            DataOutputStream out = new DataOutputStream(os);
            out.write(MAGIC);
            out.writeInt(VERSION);
            out.writeInt(arrays.size() + (meta == null ? 0 : meta.size()));
            for (Map.Entry<String, float[]> e : arrays.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeByte(0);
                int[] shape = shapes.getOrDefault(e.getKey(), new int[] {e.getValue().length});
                out.writeInt(shape.length);
                for (int d : shape) out.writeInt(d);
                for (float v : e.getValue()) out.writeFloat(v);
            }
            if (meta != null) {
                for (Map.Entry<String, String> e : meta.entrySet()) {
                    out.writeUTF("meta/" + e.getKey());
                    out.writeByte(1);
                    out.writeUTF(e.getValue());
                }
            }
            out.flush();
        });
    }

    public static Contents read(Path file) throws IOException {
        Map<String, float[]> arrays = new LinkedHashMap<>();
        Map<String, int[]> shapes = new LinkedHashMap<>();
        Map<String, String> meta = new LinkedHashMap<>();
        try (InputStream is = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            DataInputStream in = new DataInputStream(is);
            byte[] magic = new byte[MAGIC.length];
            in.readFully(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new IOException(file
                        + " is not a CNN-J checkpoint (wrong header); pick a .ckpt file written by CNN-J training");
            }
            int version = in.readInt();
            if (version != VERSION)
                throw new IOException(file + " is checkpoint format version " + version + "; this CNN-J reads version "
                        + VERSION + ": update CNN-J");
            int entries = in.readInt();
            for (int i = 0; i < entries; i++) {
                String name = in.readUTF();
                int kind = in.readByte();
                if (kind == 1) {
                    meta.put(name.substring("meta/".length()), in.readUTF());
                    continue;
                }
                int rank = in.readInt();
                if (kind != 0 || rank < 0 || rank > 8) throw new IOException(file + " is corrupt at entry " + name);
                int[] shape = new int[rank];
                long size = 1;
                for (int d = 0; d < rank; d++) {
                    shape[d] = in.readInt();
                    size *= shape[d];
                }
                if (size < 0 || size > Integer.MAX_VALUE - 8)
                    throw new IOException(file + " is corrupt at entry " + name);
                float[] v = new float[(int) size];
                for (int k = 0; k < v.length; k++) v[k] = in.readFloat();
                arrays.put(name, v);
                shapes.put(name, shape);
            }
        } catch (NoSuchFileException e) {
            throw new IOException("checkpoint " + file + " does not exist; check the path", e);
        } catch (EOFException e) {
            throw new IOException(
                    file
                            + " is truncated (the save was interrupted or the copy is incomplete); use an earlier checkpoint",
                    e);
        }
        return new Contents(arrays, shapes, meta);
    }

    /**
     * Loads weights and buffers into {@code model} (and state into {@code optimizer} if given).
     * Every parameter must be present with the right shape, or nothing is changed.
     */
    public static Contents load(Path file, Module model, Optimizer optimizer) throws IOException {
        Contents c = read(file);
        Map<String, Tensor> params = model.parameters();
        for (Map.Entry<String, Tensor> e : params.entrySet()) {
            float[] v = c.arrays().get("param/" + e.getKey());
            if (v == null)
                throw new IOException(
                        file + " has no weights for " + e.getKey() + "; it was saved from a different architecture");
            if (!Arrays.equals(
                    c.shapes().get("param/" + e.getKey()), e.getValue().shape())) {
                throw new IOException(file + ": " + e.getKey() + " has shape "
                        + Arrays.toString(c.shapes().get("param/" + e.getKey())) + " but the model expects "
                        + Arrays.toString(e.getValue().shape()) + "; build the model with the saved configuration");
            }
        }
        params.forEach((k, t) -> System.arraycopy(c.arrays().get("param/" + k), 0, t.data(), 0, t.size()));
        model.buffers().forEach((k, b) -> {
            float[] v = c.arrays().get("buffer/" + k);
            if (v != null && v.length == b.length) System.arraycopy(v, 0, b, 0, b.length);
        });
        if (optimizer != null) {
            Map<String, float[]> state = new LinkedHashMap<>();
            c.arrays().forEach((k, v) -> {
                if (k.startsWith("optim/")) state.put(k.substring("optim/".length()), v);
            });
            optimizer.loadState(state);
        }
        return c;
    }
}
