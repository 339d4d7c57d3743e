package org.cnnj.train;

import java.util.LinkedHashMap;
import java.util.Map;
import org.cnnj.io.Checkpoint;
import org.cnnj.nn.Module;

/** In-memory copies of a model's parameters and buffers: the "best so far" model kept during training. */
final class Weights {
    private Weights() {}

    static Map<String, float[]> snapshot(Module net) {
        Map<String, float[]> s = new LinkedHashMap<>();
        net.parameters().forEach((k, t) -> s.put("p:" + k, t.data().clone()));
        net.buffers().forEach((k, b) -> s.put("b:" + k, b.clone()));
        return s;
    }

    /** The same keys as {@link #snapshot(Module)}, from a checkpoint file's contents. */
    static Map<String, float[]> snapshot(Checkpoint.Contents c) {
        Map<String, float[]> s = new LinkedHashMap<>();
        c.arrays().forEach((k, v) -> {
            if (k.startsWith("param/")) s.put("p:" + k.substring(6), v);
            else if (k.startsWith("buffer/")) s.put("b:" + k.substring(7), v);
        });
        return s;
    }

    static void restore(Module net, Map<String, float[]> s) {
        net.parameters().forEach((k, t) -> System.arraycopy(s.get("p:" + k), 0, t.data(), 0, t.size()));
        net.buffers().forEach((k, b) -> System.arraycopy(s.get("b:" + k), 0, b, 0, b.length));
    }
}
