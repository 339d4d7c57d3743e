package org.cnnj.onnx;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An ensemble in one ONNX file: the graphs of several models that take the same input, side by side, and the mean of
 * their outputs as the one output (Cellpose 1–2 applied four networks so by default). Each member's names get a
 * prefix ({@code m0/}, {@code m1/}, …) so they cannot clash; the input keeps the first member's name, the output the
 * first member's name and type. Any ONNX models with one input and one output can be averaged, not only CNN-J's;
 * what a file holds that cannot be carried over safely (subgraphs, local functions, external or sparse weights,
 * different opsets) is refused by name.
 */
public final class GraphAverage {
    /** The constant 1 / members the sum of outputs is multiplied by (fine-tuning keeps it fixed). */
    public static final String WEIGHT = "ensemble/weight";

    private GraphAverage() {}

    /** One member: its file's bytes and a name for messages (its file name). */
    public record Member(String name, byte[] model) {}

    /** Each member's output is multiplied by this constant (+ its index) before the sum, in a weighted mean. */
    public static final String SHARE = "ensemble/share";

    /** The ensemble's ModelProto: every member's graph, the outputs added and multiplied by 1 / members. */
    public static byte[] average(List<Member> members) {
        return average(members, null);
    }

    /**
     * The ensemble of {@code members} whose output is the mean of theirs weighted by {@code weights} (positive, one per
     * member, summing to 1; null: equal): member k's output times members × weight k, then the mean — so an equal
     * weighting is the plain mean, node for node.
     */
    public static byte[] average(List<Member> members, double[] weights) {
        if (weights != null) {
            double sum = 0;
            for (double w : weights) sum += w;
            if (weights.length != members.size() || Math.abs(sum - 1) > 1e-6)
                throw new IllegalArgumentException("an ensemble of " + members.size() + " models takes "
                        + members.size() + " weights that add up to 1, got " + Arrays.toString(weights));
            for (double w : weights)
                if (!(w > 0)) throw new IllegalArgumentException("ensemble weights are positive, got " + w);
        }
        if (members.size() < 2)
            throw new IllegalArgumentException("an ensemble needs at least two models, got " + members.size());
        List<Parsed> parsed = new ArrayList<>();
        for (Member m : members) parsed.add(parse(m));
        Parsed first = parsed.get(0);
        for (Parsed p : parsed)
            if (!p.opsets.equals(first.opsets))
                throw new IllegalArgumentException(p.name + " uses opsets " + p.opsets + " but " + first.name + " uses "
                        + first.opsets + "; export both with the same tool and opset");
        Protobuf graph = new Protobuf();
        List<String> outputs = new ArrayList<>();
        for (int k = 0; k < parsed.size(); k++) {
            Parsed p = parsed.get(k);
            String prefix = "m" + k + "/";
            Renaming names = name -> name.isEmpty() ? name : name.equals(p.input) ? first.input : prefix + name;
            for (byte[] node : p.nodes) graph.message(1, node(node, names, prefix, p.name));
            for (byte[] tensor : p.initializers) graph.message(5, initializer(tensor, names, p.name));
            String output = names.of(p.output);
            if (weights != null) {
                String share = SHARE + k, weighted = prefix + "weighted";
                graph.message(
                        1, OnnxProto.node("Mul", new String[] {output, share}, new String[] {weighted}, Map.of()));
                graph.message(5, OnnxProto.floatTensor(share, new int[] {1}, new float[] {
                    (float) (weights[k] * members.size())
                }));
                output = weighted;
            }
            outputs.add(output);
        }
        String sum = outputs.get(0);
        for (int k = 1; k < outputs.size(); k++) {
            String next = k == outputs.size() - 1 ? "ensemble/sum" : "ensemble/sum" + k;
            graph.message(1, OnnxProto.node("Add", new String[] {sum, outputs.get(k)}, new String[] {next}, Map.of()));
            sum = next;
        }
        graph.message(1, OnnxProto.node("Mul", new String[] {sum, WEIGHT}, new String[] {first.output}, Map.of()));
        graph.message(5, OnnxProto.floatTensor(WEIGHT, new int[] {1}, new float[] {1f / members.size()}));
        graph.string(2, "ensemble of " + members.size());
        graph.raw(first.inputField);
        graph.raw(first.outputField);
        Protobuf model = new Protobuf();
        model.varint(1, parsed.stream().mapToLong(p -> p.irVersion).max().orElse(8));
        model.string(2, "CNN-J");
        model.string(3, "0.1");
        model.message(7, graph);
        first.opsets.forEach((domain, version) ->
                model.message(8, new Protobuf().string(1, domain).varint(2, version)));
        return model.toByteArray();
    }

    private interface Renaming {
        String of(String name);
    }

    /** What one member contributes: its nodes and initializers (encoded), its one input and output, its opsets. */
    private static final class Parsed {
        final String name;
        final List<byte[]> nodes = new ArrayList<>(), initializers = new ArrayList<>();
        final Map<String, Long> opsets = new LinkedHashMap<>();
        long irVersion;
        String input, output;
        byte[] inputField, outputField;

        Parsed(String name) {
            this.name = name;
        }
    }

    private static Parsed parse(Member m) {
        Parsed p = new Parsed(m.name());
        ProtobufReader r = new ProtobufReader(ByteBuffer.wrap(m.model()));
        ProtobufReader graph = null;
        while (r.more()) {
            int tag = r.tag(), field = tag >>> 3;
            if (field == 1 && (tag & 7) == 0) p.irVersion = r.varint();
            else if (field == 7 && (tag & 7) == 2) graph = r.message();
            else if (field == 8 && (tag & 7) == 2) opset(r.message(), p.opsets);
            else if (field == 25)
                throw refused(p.name, "defines its own functions (ONNX local functions)", "inline them before");
            else r.skip(tag);
        }
        if (graph == null) throw new IllegalArgumentException(p.name + " holds no graph; is it an ONNX model?");
        graph(graph, p);
        return p;
    }

    private static void opset(ProtobufReader o, Map<String, Long> opsets) {
        String domain = "";
        long version = 0;
        while (o.more()) {
            int t = o.tag();
            if (t >>> 3 == 1 && (t & 7) == 2) domain = o.string();
            else if (t >>> 3 == 2 && (t & 7) == 0) version = o.varint();
            else o.skip(t);
        }
        opsets.put(domain, version);
    }

    private static void graph(ProtobufReader g, Parsed p) {
        List<byte[]> inputs = new ArrayList<>(), outputs = new ArrayList<>();
        Set<String> initialized = new HashSet<>();
        while (g.more()) {
            int start = g.position(), tag = g.tag(), field = tag >>> 3;
            if ((tag & 7) != 2 || !List.of(1, 5, 11, 12, 15).contains(field)) {
                g.skip(tag); // name, doc string, value_info (shape hints), quantization notes: not carried over
                continue;
            }
            byte[] value = g.bytes();
            switch (field) {
                case 1 -> p.nodes.add(value);
                case 5 -> {
                    p.initializers.add(value);
                    initialized.add(reader(value).stringField(8));
                }
                case 11 -> inputs.add(g.since(start));
                case 12 -> outputs.add(g.since(start));
                default -> throw refused(p.name, "has sparse weights", "store them dense before");
            }
        }
        // Before IR 4 a graph also listed its initializers as inputs: only the others are fed.
        List<byte[]> fed = new ArrayList<>();
        for (byte[] in : inputs) if (!initialized.contains(fieldName(in))) fed.add(in);
        if (fed.size() != 1 || outputs.size() != 1)
            throw new IllegalArgumentException(p.name + " has " + fed.size() + " input(s) and " + outputs.size()
                    + " output(s); an ensemble averages models of one input and one output");
        p.inputField = fed.get(0);
        p.outputField = outputs.get(0);
        p.input = fieldName(p.inputField);
        p.output = fieldName(p.outputField);
    }

    /** A NodeProto with its inputs, outputs and name renamed; a node holding a subgraph is refused. */
    private static Protobuf node(byte[] node, Renaming names, String prefix, String member) {
        Protobuf out = new Protobuf();
        for (ProtobufReader r = new ProtobufReader(ByteBuffer.wrap(node)); r.more(); ) {
            int start = r.position(), tag = r.tag(), field = tag >>> 3;
            if ((field == 1 || field == 2) && (tag & 7) == 2) out.string(field, names.of(r.string()));
            else if (field == 3 && (tag & 7) == 2) out.string(3, prefix + r.string());
            else if (field == 5 && (tag & 7) == 2) {
                byte[] attribute = r.bytes();
                if (reader(attribute).hasField(6) || reader(attribute).hasField(11))
                    throw refused(member, "has a node with a subgraph (If, Loop or Scan)", "");
                out.bytes(5, attribute);
            } else {
                r.skip(tag);
                out.raw(r.since(start));
            }
        }
        return out;
    }

    /** A TensorProto under its new name; weights in another file are refused (their path would not follow). */
    private static Protobuf initializer(byte[] tensor, Renaming names, String member) {
        Protobuf out = new Protobuf();
        for (ProtobufReader r = new ProtobufReader(ByteBuffer.wrap(tensor)); r.more(); ) {
            int start = r.position(), tag = r.tag(), field = tag >>> 3;
            if (field == 8 && (tag & 7) == 2) {
                out.string(8, names.of(r.string()));
                continue;
            }
            boolean external = field == 14 && (tag & 7) == 0 && r.varint() == 1; // data_location EXTERNAL
            if (external)
                throw refused(
                        member, "keeps its weights in a separate file (external data)", "save it as one file before");
            if (field != 14 || (tag & 7) != 0) r.skip(tag);
            out.raw(r.since(start));
        }
        return out;
    }

    private static IllegalArgumentException refused(String member, String what, String fix) {
        return new IllegalArgumentException(member + " " + what + ", which an ensemble cannot carry over"
                + (fix.isEmpty() ? "" : "; " + fix + " making the ensemble"));
    }

    /** The name of a graph input or output field (tag + ValueInfoProto). */
    private static String fieldName(byte[] field) {
        ProtobufReader outer = new ProtobufReader(ByteBuffer.wrap(field));
        outer.tag();
        return outer.message().stringField(1);
    }

    private static ProtobufReader reader(byte[] message) {
        return new ProtobufReader(ByteBuffer.wrap(message));
    }
}
