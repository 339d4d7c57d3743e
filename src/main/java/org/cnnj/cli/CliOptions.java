package org.cnnj.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** "--key value" and "--flag" options of one subcommand, checked against the names it knows. */
final class CliOptions {
    private final String command;
    private final Map<String, String> values = new LinkedHashMap<>();
    /** Every value of each key, in order (an option given twice keeps both; the getters above read the last). */
    private final Map<String, List<String>> repeated = new LinkedHashMap<>();

    CliOptions(String command, String[] args, List<String> known, List<String> flags) {
        this.command = command;
        for (int i = 0; i < args.length; i++) {
            if (flags.contains(args[i])) {
                values.put(args[i], "true");
            } else if (args[i].startsWith("--") && i + 1 < args.length) {
                repeated.computeIfAbsent(args[i], k -> new ArrayList<>()).add(args[i + 1]);
                values.put(args[i], args[++i]);
            } else {
                throw new IllegalArgumentException(
                        command + ": unexpected argument " + args[i] + " (options take a value: --epochs 20)");
            }
        }
        for (String k : values.keySet()) {
            if (!known.contains(k) && !flags.contains(k))
                throw new IllegalArgumentException(
                        command + ": unknown option " + k + "; options: " + known + " " + flags);
        }
    }

    void require(String... keys) {
        for (String k : keys)
            if (!values.containsKey(k))
                throw new IllegalArgumentException(command + ": " + String.join(", ", keys) + " are required");
    }

    boolean has(String key) {
        return values.containsKey(key);
    }

    String text(String key, String fallback) {
        return values.getOrDefault(key, fallback);
    }

    Path path(String key) {
        return values.containsKey(key) ? Path.of(values.get(key)) : null;
    }

    int integer(String key, int fallback) {
        try {
            return values.containsKey(key) ? Integer.parseInt(values.get(key).trim()) : fallback;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    command + ": " + key + " must be a whole number, got \"" + values.get(key) + "\"");
        }
    }

    long longInteger(String key, long fallback) {
        try {
            return values.containsKey(key) ? Long.parseLong(values.get(key).trim()) : fallback;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    command + ": " + key + " must be a whole number, got \"" + values.get(key) + "\"");
        }
    }

    double number(String key, double fallback) {
        try {
            return values.containsKey(key) ? Double.parseDouble(values.get(key).trim()) : fallback;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    command + ": " + key + " must be a number, got \"" + values.get(key) + "\"");
        }
    }

    /** Numbers separated by commas ({@code --weights 0.35,0.65}); null when absent. */
    double[] numbers(String key) {
        if (!values.containsKey(key)) return null;
        String[] parts = values.get(key).split(",");
        double[] v = new double[parts.length];
        try {
            for (int i = 0; i < parts.length; i++) v[i] = Double.parseDouble(parts[i].trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    command + ": " + key + " takes numbers separated by commas, got \"" + values.get(key) + "\"");
        }
        return v;
    }

    /** Every path given with {@code key} (an option that may be repeated: --data A --data B), empty when absent. */
    List<Path> paths(String key) {
        return all(key).stream().map(Path::of).toList();
    }

    /** Every value given with {@code key}, in order, empty when absent. */
    List<String> all(String key) {
        return repeated.getOrDefault(key, List.of());
    }

    /** Comma-separated list, empty when absent. */
    List<String> list(String key) {
        return values.containsKey(key) ? List.of(values.get(key).split("\\s*,\\s*")) : List.of();
    }
}
