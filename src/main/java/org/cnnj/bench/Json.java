package org.cnnj.bench;

import java.util.Locale;
import java.util.Map;

/** Renders the benchmark's nested maps, numbers, strings and double arrays as JSON. */
final class Json {
    private Json() {}

    static String write(Object value, String indent) {
        StringBuilder sb = new StringBuilder();
        write(sb, value, indent);
        return sb.toString();
    }

    private static void write(StringBuilder sb, Object v, String indent) {
        if (v instanceof Map<?, ?> m) {
            sb.append("{\n");
            int i = 0;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                sb.append(indent).append("  \"").append(e.getKey()).append("\": ");
                write(sb, e.getValue(), indent + "  ");
                sb.append(++i < m.size() ? ",\n" : "\n");
            }
            sb.append(indent).append('}');
        } else if (v instanceof double[] a) {
            sb.append('[');
            for (int i = 0; i < a.length; i++) sb.append(i > 0 ? ", " : "").append(number(a[i]));
            sb.append(']');
        } else if (v instanceof Double d) {
            sb.append(number(d));
        } else if (v instanceof Float f) {
            sb.append(number(f));
        } else if (v instanceof Number || v instanceof Boolean) {
            sb.append(v);
        } else {
            sb.append('"')
                    .append(String.valueOf(v).replace("\\", "\\\\").replace("\"", "\\\""))
                    .append('"');
        }
    }

    private static String number(double d) {
        return Double.isFinite(d) ? String.format(Locale.ROOT, "%.6g", d) : "null";
    }
}
