package org.cnnj.onnx;

/**
 * ONNX files made to mislead, for fault tests: a graph with no nodes whose input and output declare the shapes given
 * (any size, however absurd), as a hostile or broken exporter could write them.
 */
public final class HostileModels {
    private HostileModels() {}

    /** A model whose input "image" and output "logits" declare these dimensions (−1: a free axis). */
    public static byte[] declaring(long[] input, long[] output) {
        Protobuf graph = new Protobuf()
                .string(2, "hostile")
                .message(11, valueInfo("image", input))
                .message(12, valueInfo("logits", output));
        return new Protobuf()
                .varint(1, 8)
                .string(2, "a test")
                .message(7, graph)
                .message(8, new Protobuf().string(1, "").varint(2, 17))
                .toByteArray();
    }

    private static Protobuf valueInfo(String name, long[] shape) {
        Protobuf dims = new Protobuf();
        for (long d : shape) dims.message(1, d < 0 ? new Protobuf().string(2, "free") : new Protobuf().varint(1, d));
        Protobuf tensorType = new Protobuf().varint(1, 1).message(2, dims);
        return new Protobuf().string(1, name).message(2, new Protobuf().message(1, tensorType));
    }

    /** Two Relu nodes feeding each other (a → b → a): a cycle, which ONNX forbids and a broken exporter can write. */
    public static byte[] cyclic() {
        Protobuf first = new Protobuf()
                .string(1, "image")
                .string(1, "b")
                .string(2, "a")
                .string(3, "r1")
                .string(4, "Add");
        Protobuf second =
                new Protobuf().string(1, "a").string(2, "b").string(3, "r2").string(4, "Relu");
        Protobuf graph = new Protobuf()
                .message(1, first)
                .message(1, second)
                .string(2, "cyclic")
                .message(11, valueInfo("image", new long[] {1, 1, -1, -1}))
                .message(12, valueInfo("b", new long[] {1, 1, -1, -1}));
        return new Protobuf()
                .varint(1, 8)
                .string(2, "a test")
                .message(7, graph)
                .message(8, new Protobuf().string(1, "").varint(2, 17))
                .toByteArray();
    }
}
