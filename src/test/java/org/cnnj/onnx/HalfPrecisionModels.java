package org.cnnj.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;

/**
 * ONNX files as onnxconverter-common's {@code float16.convert_float_to_float16} writes them (the converter most
 * "fp16 ONNX" files come from; not installable in this build world, so its documented output is reproduced): every
 * float initializer stored as FLOAT16 and every op computing in float16; the graph's input and output FLOAT16 too,
 * or with {@code keep_io_types=True} float32 with a Cast after the input and before the output.
 */
public final class HalfPrecisionModels {
    private HalfPrecisionModels() {}

    /** {@code model} (one input, one output, no Constant nodes) converted as the converter does. */
    public static byte[] convert(byte[] model, boolean keepIoTypes) {
        ProtobufReader r = new ProtobufReader(ByteBuffer.wrap(model));
        Protobuf out = new Protobuf();
        while (r.more()) {
            int start = r.position(), tag = r.tag();
            if (tag >>> 3 == 7 && (tag & 7) == 2) out.message(7, graph(r.message(), keepIoTypes));
            else {
                r.skip(tag);
                out.raw(r.since(start));
            }
        }
        return out.toByteArray();
    }

    private static Protobuf graph(ProtobufReader g, boolean keepIoTypes) {
        Protobuf nodes = new Protobuf(), rest = new Protobuf();
        String input = null, output = null;
        byte[] inputInfo = null, outputInfo = null;
        while (g.more()) {
            int start = g.position(), tag = g.tag(), field = tag >>> 3;
            if (field == 5 && (tag & 7) == 2) {
                OnnxModelInfo.Initializer t = OnnxModelInfo.Initializer.read(g.message());
                rest.message(5, t.type() == OnnxProto.FLOAT ? half(t) : raw(g, start));
            } else if (field == 11 || field == 12) {
                byte[] info = g.bytes();
                String name = new ProtobufReader(ByteBuffer.wrap(info)).stringField(1);
                if (field == 11) {
                    input = name;
                    inputInfo = info;
                } else {
                    output = name;
                    outputInfo = info;
                }
            } else if (field == 13) {
                g.skip(tag); // value_info: shape hints, dropped (the converter retypes them)
            } else {
                g.skip(tag);
                (field == 1 ? nodes : rest).raw(g.since(start));
            }
        }
        if (!keepIoTypes) {
            return nodes.raw(rest.toByteArray()).bytes(11, retyped(inputInfo)).bytes(12, retyped(outputInfo));
        }
        // keep_io_types: the nodes read and write renamed values; Casts join them to the float32 input and output
        String in16 = input + "_cast_fp16", out16 = output + "_fp16";
        Protobuf renamed = new Protobuf()
                .message(1, OnnxProto.node("Cast", new String[] {input}, new String[] {in16}, Map.of("to", (long)
                        Float16Weights.FLOAT16)));
        byte[] encoded = nodes.toByteArray();
        for (ProtobufReader n = new ProtobufReader(ByteBuffer.wrap(encoded)); n.more(); ) {
            n.tag();
            renamed.message(1, rename(n.bytes(), input, in16, output, out16));
        }
        renamed.message(1, OnnxProto.node("Cast", new String[] {out16}, new String[] {output}, Map.of("to", (long)
                OnnxProto.FLOAT)));
        return renamed.raw(rest.toByteArray()).bytes(11, inputInfo).bytes(12, outputInfo);
    }

    private static Protobuf raw(ProtobufReader g, int start) {
        byte[] field = g.since(start);
        ProtobufReader outer = new ProtobufReader(ByteBuffer.wrap(field));
        outer.tag();
        return new Protobuf().raw(outer.bytes());
    }

    private static Protobuf half(OnnxModelInfo.Initializer t) {
        ByteBuffer b = ByteBuffer.allocate(2 * t.floats().length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : t.floats()) b.putShort(Float16.fromFloat(v));
        return new Protobuf()
                .packedInt64(1, t.dims())
                .varint(2, Float16Weights.FLOAT16)
                .string(8, t.name())
                .bytes(9, b.array());
    }

    private static Protobuf rename(byte[] node, String from1, String to1, String from2, String to2) {
        Protobuf out = new Protobuf();
        for (ProtobufReader r = new ProtobufReader(ByteBuffer.wrap(node)); r.more(); ) {
            int start = r.position(), tag = r.tag(), field = tag >>> 3;
            if ((field == 1 || field == 2) && (tag & 7) == 2) {
                String s = r.string();
                out.string(field, s.equals(from1) ? to1 : s.equals(from2) ? to2 : s);
            } else {
                r.skip(tag);
                out.raw(r.since(start));
            }
        }
        return out;
    }

    /** A ValueInfoProto with its tensor element type FLOAT16 (type.tensor_type.elem_type). */
    private static byte[] retyped(byte[] valueInfo) {
        return rewrite(
                valueInfo,
                2,
                type -> rewrite(type, 1, tensor -> {
                    Protobuf t = new Protobuf();
                    for (ProtobufReader r = new ProtobufReader(ByteBuffer.wrap(tensor)); r.more(); ) {
                        int start = r.position(), tag = r.tag();
                        if (tag >>> 3 == 1 && (tag & 7) == 0) {
                            r.varint();
                            t.varint(1, Float16Weights.FLOAT16);
                        } else {
                            r.skip(tag);
                            t.raw(r.since(start));
                        }
                    }
                    return t.toByteArray();
                }));
    }

    private static byte[] rewrite(byte[] message, int field, java.util.function.UnaryOperator<byte[]> change) {
        Protobuf out = new Protobuf();
        for (ProtobufReader r = new ProtobufReader(ByteBuffer.wrap(message)); r.more(); ) {
            int start = r.position(), tag = r.tag();
            if (tag >>> 3 == field && (tag & 7) == 2) out.bytes(field, change.apply(r.bytes()));
            else {
                r.skip(tag);
                out.raw(r.since(start));
            }
        }
        return out.toByteArray();
    }
}
