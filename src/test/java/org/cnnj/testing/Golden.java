package org.cnnj.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.cnnj.tensor.Tensor;

/** Reads a fixture written by src/test/python/make_golden.py (format documented there). */
public final class Golden {
    private final String name;
    private final Map<String, Tensor> arrays;

    private Golden(String name, Map<String, Tensor> arrays) {
        this.name = name;
        this.arrays = arrays;
    }

    public static Golden load(String name) {
        try (InputStream in = Golden.class.getResourceAsStream("/golden/" + name + ".bin")) {
            if (in == null)
                throw new IllegalStateException("missing fixture " + name + "; run src/test/python/make_golden.py");
            ByteBuffer buf = ByteBuffer.wrap(in.readAllBytes()).order(ByteOrder.LITTLE_ENDIAN);
            byte[] magic = new byte[8];
            buf.get(magic);
            if (!new String(magic, StandardCharsets.US_ASCII).equals("CNNJGOLD"))
                throw new IllegalStateException("bad fixture " + name);
            int count = buf.getInt();
            Map<String, Tensor> arrays = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                byte[] key = new byte[buf.getInt()];
                buf.get(key);
                int[] shape = new int[buf.getInt()];
                int size = 1;
                for (int d = 0; d < shape.length; d++) size *= shape[d] = buf.getInt();
                float[] data = new float[size];
                buf.asFloatBuffer().get(data);
                buf.position(buf.position() + 4 * size);
                arrays.put(new String(key, StandardCharsets.UTF_8), Tensor.of(data, shape));
            }
            return new Golden(name, arrays);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A fresh leaf copy (tests may mark it trainable). */
    public Tensor tensor(String key) {
        return get(key).copy();
    }

    public float[] floats(String key) {
        return get(key).data().clone();
    }

    public int[] ints(String key) {
        float[] f = get(key).data();
        int[] out = new int[f.length];
        for (int i = 0; i < f.length; i++) out[i] = Math.round(f[i]);
        return out;
    }

    public float scalar(String key) {
        return get(key).data()[0];
    }

    public Map<String, Tensor> all() {
        return arrays;
    }

    private Tensor get(String key) {
        Tensor t = arrays.get(key);
        if (t == null)
            throw new IllegalArgumentException(
                    "fixture " + name + " has no array " + key + "; it has " + arrays.keySet());
        return t;
    }
}
