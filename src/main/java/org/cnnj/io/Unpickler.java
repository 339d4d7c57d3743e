package org.cnnj.io;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Python's pickle data (protocols 0–5, the binary opcodes every NumPy and Python 3 writes) as Java values, for files
 * other tools save with it — Cellpose's {@code _seg.npy} is a pickled dict of NumPy arrays. Unlike Python's unpickler it
 * runs nothing: NumPy's arrays, dtypes and scalars and {@code _codecs.encode} (protocol 2's bytes) are understood by
 * name; an object of any other class is an {@link Opaque} holding its class name and arguments.
 *
 * <p>Python → Java: None → null, bool → Boolean, int → Long (BigInteger beyond 64 bits), float → Double, str → String,
 * bytes/bytearray → byte[], list → ArrayList, tuple → unmodifiable List, dict → LinkedHashMap, set → LinkedHashSet,
 * numpy.ndarray → {@link Npy.Array}, a NumPy scalar → Long, Double or Boolean.
 */
final class Unpickler {
    /** A class or function named in the data (module and name). */
    record Global(String module, String name) {
        boolean is(String function) {
            // numpy.core (NumPy 1) and numpy._core (NumPy 2) hold the same functions.
            return (module.startsWith("numpy") || module.equals("_codecs")) && name.equals(function);
        }
    }

    /** An object of a class this reader does not build: its class and the arguments it was made with. */
    record Opaque(Global type, Object args) {}

    /** numpy.dtype while its state (byte order) is not yet set. */
    private static final class Dtype {
        final String type;
        ByteOrder order = ByteOrder.LITTLE_ENDIAN;

        Dtype(String type) {
            this.type = type;
        }
    }

    /** numpy.ndarray made by _reconstruct, before BUILD gives it its shape, dtype and data. */
    private static final class PendingArray {}

    private static final Object MARK = new Object();

    private final ByteBuffer in;
    private final String file;
    private final List<Object> stack = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();

    private Unpickler(ByteBuffer in, String file) {
        this.in = in.order(ByteOrder.LITTLE_ENDIAN);
        this.file = file;
    }

    /** The value pickled in {@code data} (from its position on); {@code file} names it in messages. */
    static Object load(ByteBuffer data, String file) throws IOException {
        try {
            return new Unpickler(data, file).run();
        } catch (BufferUnderflowException e) {
            throw new IOException(file + " ends inside its pickled data: the file is cut short; save it again");
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage());
        } catch (RuntimeException e) { // a value where another kind belongs: damaged, or not what NumPy writes
            throw new IOException(file + " holds pickled data this reader cannot follow (" + e
                    + "); save the masks as a TIFF or PNG label image instead");
        }
    }

    private Object run() throws IOException {
        while (true) {
            int op = in.get() & 0xff;
            switch (op) {
                case 0x80 -> in.get(); // PROTO
                case 0x95 -> in.getLong(); // FRAME: a length hint only
                case '.' -> { // STOP
                    return pop();
                }
                case '(' -> stack.add(MARK);
                case 'N' -> stack.add(null);
                case 0x88 -> stack.add(Boolean.TRUE);
                case 0x89 -> stack.add(Boolean.FALSE);
                case 'J' -> stack.add((long) in.getInt());
                case 'K' -> stack.add((long) (in.get() & 0xff));
                case 'M' -> stack.add((long) (in.getShort() & 0xffff));
                case 0x8a -> stack.add(longOf(bytes(in.get() & 0xff)));
                case 0x8b -> stack.add(longOf(bytes(in.getInt())));
                case 'G' -> stack.add(Double.longBitsToDouble(Long.reverseBytes(in.getLong()))); // big-endian
                case 'I', 'L' -> stack.add(textInteger(line()));
                case 'F' -> stack.add(Double.parseDouble(line()));
                case 'X' -> stack.add(utf8(in.getInt()));
                case 0x8c -> stack.add(utf8(in.get() & 0xff));
                case 0x8d -> stack.add(utf8(length(in.getLong())));
                case 'V' -> stack.add(line()); // protocol 0's unicode (escapes left as written)
                case 'C' -> stack.add(bytes(in.get() & 0xff));
                case 'B' -> stack.add(bytes(in.getInt()));
                case 0x8e, 0x96 -> stack.add(bytes(length(in.getLong()))); // BINBYTES8, BYTEARRAY8
                case 'U' -> stack.add(latin1(in.get() & 0xff)); // SHORT_BINSTRING (Python 2 str)
                case 'T' -> stack.add(latin1(in.getInt())); // BINSTRING
                case ')' -> stack.add(List.of());
                case ']' -> stack.add(new ArrayList<>());
                case '}' -> stack.add(new LinkedHashMap<>());
                case 0x8f -> stack.add(new LinkedHashSet<>());
                case 't' -> stack.add(tuple(popMark()));
                case 0x85 -> stack.add(tuple(pops(1)));
                case 0x86 -> stack.add(tuple(pops(2)));
                case 0x87 -> stack.add(tuple(pops(3)));
                case 'l' -> stack.add(new ArrayList<>(popMark()));
                case 'd' -> stack.add(dict(popMark(), new LinkedHashMap<>()));
                case 0x91 -> stack.add(Collections.unmodifiableSet(new LinkedHashSet<>(popMark()))); // FROZENSET
                case 'a' -> {
                    Object item = pop();
                    list(peek()).add(item);
                }
                case 'e' -> {
                    List<Object> items = popMark();
                    list(peek()).addAll(items);
                }
                case 's' -> {
                    Object value = pop(), key = pop();
                    map(peek()).put(key, value);
                }
                case 'u' -> {
                    List<Object> items = popMark();
                    dict(items, map(peek()));
                }
                case 0x90 -> { // ADDITEMS
                    List<Object> items = popMark();
                    set(peek()).addAll(items);
                }
                case 'p' -> memo.put(Long.parseLong(line()), peek());
                case 'q' -> memo.put((long) (in.get() & 0xff), peek());
                case 'r' -> memo.put(in.getInt() & 0xffffffffL, peek());
                case 0x94 -> memo.put((long) memo.size(), peek()); // MEMOIZE
                case 'g' -> stack.add(memo(Long.parseLong(line())));
                case 'h' -> stack.add(memo(in.get() & 0xff));
                case 'j' -> stack.add(memo(in.getInt() & 0xffffffffL));
                case 'c' -> stack.add(new Global(line(), line()));
                case 0x93 -> { // STACK_GLOBAL
                    String name = (String) pop(), module = (String) pop();
                    stack.add(new Global(module, name));
                }
                case 'R' -> {
                    Object args = pop();
                    stack.add(reduce((Global) pop(), list(args)));
                }
                case 0x81 -> { // NEWOBJ
                    Object args = pop();
                    stack.add(new Opaque((Global) pop(), args));
                }
                case 0x92 -> { // NEWOBJ_EX
                    Object kwargs = pop(), args = pop();
                    stack.add(new Opaque((Global) pop(), List.of(args, kwargs)));
                }
                case 'b' -> {
                    Object state = pop();
                    build(peek(), state);
                }
                case '0' -> pop();
                case '2' -> stack.add(peek());
                case '1' -> popMark();
                default ->
                    throw new IOException(String.format(
                            "%s holds a pickle opcode this reader does not know (0x%02x at byte %d); save the masks as a"
                                    + " TIFF or PNG label image instead",
                            file, op, in.position() - 1));
            }
        }
    }

    /** A call pickled as REDUCE: NumPy's and codecs' functions by name, anything else kept opaque. */
    private Object reduce(Global f, List<Object> args) throws IOException {
        if (f.is("_reconstruct")) return new PendingArray();
        if (f.is("dtype")) return new Dtype((String) args.get(0));
        if (f.is("scalar")) { // a NumPy number; another kind of scalar (a date, a string) is kept opaque
            Dtype d = (Dtype) args.get(0);
            if (!d.type.matches("[biuf]\\d+")) return new Opaque(f, tuple(args));
            return new Npy.Array(d.type, d.order, new long[0], (byte[]) args.get(1), null).value(0);
        }
        if (f.is("_frombuffer")) { // protocol 5: (buffer, dtype, shape, order)
            Dtype d = (Dtype) args.get(1);
            return array(d, shape(args.get(2)), "F".equals(args.get(3)), args.get(0));
        }
        if (f.is("encode") && args.size() == 2 && "latin1".equals(args.get(1)))
            return ((String) args.get(0)).getBytes(StandardCharsets.ISO_8859_1);
        return new Opaque(f, tuple(args));
    }

    /** BUILD: an array's and a dtype's state; other objects' state is not needed and dropped. */
    private void build(Object target, Object state) throws IOException {
        if (target instanceof Dtype d) {
            String order = (String) list(state).get(1);
            d.order = order.equals(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        } else if (target instanceof PendingArray) {
            // (version, shape, dtype, fortran order, data): bytes, or a list of objects for dtype object
            List<Object> s = list(state);
            Npy.Array a = array((Dtype) s.get(2), shape(s.get(1)), (Boolean) s.get(3), s.get(4));
            replace(target, a);
        }
    }

    private static Npy.Array array(Dtype d, long[] shape, boolean fortran, Object data) throws IOException {
        if (data instanceof byte[] bytes) return Npy.Array.of(d.type, d.order, shape, fortran, bytes);
        return Npy.Array.ofObjects(shape, fortran, list(data));
    }

    /** Puts the finished array where the pending one was: on the stack and in the memo. */
    private void replace(Object pending, Object done) {
        for (int i = 0; i < stack.size(); i++) if (stack.get(i) == pending) stack.set(i, done);
        memo.replaceAll((k, v) -> v == pending ? done : v);
    }

    private static long[] shape(Object tuple) {
        List<Object> dims = list(tuple);
        long[] out = new long[dims.size()];
        for (int i = 0; i < out.length; i++) out[i] = ((Number) dims.get(i)).longValue();
        return out;
    }

    private Object memo(long key) throws IOException {
        if (!memo.containsKey(key))
            throw new IOException(file + ": its pickled data refers to a value it never stored");
        return memo.get(key);
    }

    private Object pop() {
        return stack.remove(stack.size() - 1);
    }

    private Object peek() {
        return stack.get(stack.size() - 1);
    }

    private List<Object> pops(int n) {
        List<Object> top = stack.subList(stack.size() - n, stack.size());
        List<Object> out = new ArrayList<>(top);
        top.clear();
        return out;
    }

    private List<Object> popMark() throws IOException {
        for (int i = stack.size() - 1; i >= 0; i--)
            if (stack.get(i) == MARK) {
                List<Object> out = pops(stack.size() - i - 1);
                pop();
                return out;
            }
        throw new IOException(file + ": its pickled data closes a group it never opened");
    }

    private static List<Object> tuple(List<Object> items) {
        return Collections.unmodifiableList(new ArrayList<>(items));
    }

    private static Map<Object, Object> dict(List<Object> items, Map<Object, Object> into) {
        for (int i = 0; i + 1 < items.size(); i += 2) into.put(items.get(i), items.get(i + 1));
        return into;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) {
        return (List<Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static Map<Object, Object> map(Object o) {
        return (Map<Object, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static Set<Object> set(Object o) {
        return (Set<Object>) o;
    }

    private int length(long n) throws IOException {
        if (n < 0 || n > in.remaining())
            throw new IOException(file + " ends inside its pickled data: the file is cut short");
        return (int) n;
    }

    private byte[] bytes(int n) throws IOException {
        byte[] out = new byte[length(n)];
        in.get(out);
        return out;
    }

    private String utf8(int n) throws IOException {
        return new String(bytes(n), StandardCharsets.UTF_8);
    }

    private String latin1(int n) throws IOException {
        return new String(bytes(n), StandardCharsets.ISO_8859_1);
    }

    /** A protocol 0 argument: the bytes up to the next newline. */
    private String line() {
        StringBuilder b = new StringBuilder();
        for (byte c = in.get(); c != '\n'; c = in.get()) b.append((char) (c & 0xff));
        return b.toString();
    }

    private static Object textInteger(String s) {
        String t = s.endsWith("L") ? s.substring(0, s.length() - 1) : s;
        if (t.equals("01")) return Boolean.TRUE; // protocol 0's True and False
        if (t.equals("00")) return Boolean.FALSE;
        BigInteger v = new BigInteger(t);
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    /** LONG1/LONG4: a little-endian two's-complement integer of any length. */
    private static Object longOf(byte[] littleEndian) {
        if (littleEndian.length == 0) return 0L;
        byte[] big = littleEndian.clone();
        for (int i = 0, j = big.length - 1; i < j; i++, j--) {
            byte t = big[i];
            big[i] = big[j];
            big[j] = t;
        }
        BigInteger v = new BigInteger(big);
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }
}
