package org.cnnj.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.cnnj.fiji.CommandFields;
import org.scijava.command.Command;

/**
 * A subcommand whose options are the parameters of the Fiji command that does the same job: each parameter is
 * {@code --name VALUE} (a checkbox is {@code --name}, or {@code --no-name} when it is on by default) with the
 * dialog's default, choices and range, and the help lists them with the dialog's labels. So the command line,
 * the dialog and the macro keys are one list. {@code aliases} keeps the command line's older spellings (--lr for
 * the dialog's rate); {@code extras} are options only the command line has (what a server run needs and a dialog
 * does not show, such as the options for a model without a sidecar).
 */
final class CommandLine {
    /** The command with the options set, and the extras the subcommand reads itself. */
    record Parsed<C>(C command, CliOptions extras) {}

    /** Options only the command line has: {@code values} take a value, {@code flags} do not; {@code help} describes them. */
    record Extras(List<String> values, List<String> flags, String help) {
        static final Extras NONE = new Extras(List.of(), List.of(), "");
    }

    private CommandLine() {}

    static <C extends Command> Parsed<C> parse(
            String subcommand, Class<C> type, String[] args, Map<String, String> aliases, Extras extras) {
        Map<String, CommandFields.Option> options = new LinkedHashMap<>();
        for (CommandFields.Option o : CommandFields.options(type)) options.put(o.name(), o);
        Map<String, String> values = new LinkedHashMap<>();
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException(
                        subcommand + ": unexpected argument " + a + " (options take a value: --epochs 20)");
            }
            String name = a.substring(2), field = aliases.getOrDefault(name, name);
            CommandFields.Option o = options.get(field);
            CommandFields.Option negated =
                    name.startsWith("no-") ? options.get(fieldOf(name.substring(3), aliases)) : null;
            if (o != null && o.isFlag()) values.put(field, "true");
            else if (negated != null && negated.isFlag()) values.put(negated.name(), "false");
            else if (o != null) {
                if (i + 1 >= args.length) throw new IllegalArgumentException(subcommand + ": " + a + " needs a value");
                values.put(field, args[++i]);
            } else if (extras.flags().contains(a)) rest.add(a);
            else if (extras.values().contains(a) && i + 1 < args.length) {
                rest.add(a);
                rest.add(args[++i]);
            } else if (extras.values().contains(a)) {
                throw new IllegalArgumentException(subcommand + ": " + a + " needs a value");
            } else {
                List<String> known = new ArrayList<>();
                options.keySet().forEach(k -> known.add("--" + spelling(k, aliases)));
                known.addAll(extras.values());
                known.addAll(extras.flags());
                throw new IllegalArgumentException(subcommand + ": unknown option " + a + "; options: "
                        + String.join(" ", known) + " (./cnnj " + subcommand + " --help says what each does)");
            }
        }
        List<String> missing = options.values().stream()
                .filter(o -> o.required() && !values.containsKey(o.name()))
                .map(o -> "--" + spelling(o.name(), aliases))
                .toList();
        if (!missing.isEmpty())
            throw new IllegalArgumentException(subcommand + ": " + String.join(", ", missing)
                    + (missing.size() == 1 ? " is" : " are") + " required");
        C command = CommandFields.filled(type, values, subcommand, k -> "--" + spelling(k, aliases));
        return new Parsed<>(
                command, new CliOptions(subcommand, rest.toArray(String[]::new), extras.values(), extras.flags()));
    }

    /** The options with their defaults and the dialog's labels, then the extras' help. */
    static String help(String usage, Class<? extends Command> type, Map<String, String> aliases, Extras extras) {
        StringBuilder b = new StringBuilder(usage).append('\n');
        for (CommandFields.Option o : CommandFields.options(type)) {
            String name = "--" + spelling(o.name(), aliases);
            Object d = o.defaultValue();
            String shown = o.isFlag()
                    ? (Boolean.TRUE.equals(d) ? name + " (on; --no-" + name.substring(2) + ")" : name)
                    : name + " "
                            + (o.required()
                                    ? "(required)"
                                    : d == null || d.toString().isEmpty() ? "(none)" : text(d));
            String what = o.label() + (o.choices().isEmpty() ? "" : ": " + String.join(", ", o.choices()));
            b.append(String.format(Locale.ROOT, "  %-28s %s%n", shown, what));
        }
        return (b + extras.help()).stripTrailing();
    }

    private static String text(Object value) {
        return value instanceof Double d && d == Math.rint(d) && Math.abs(d) < 1e6
                ? String.valueOf(d.longValue())
                : value.toString();
    }

    private static String fieldOf(String name, Map<String, String> aliases) {
        return aliases.getOrDefault(name, name);
    }

    /** The command line's spelling of a parameter: its alias when it has one, else the macro key. */
    private static String spelling(String field, Map<String, String> aliases) {
        return aliases.entrySet().stream()
                .filter(e -> e.getValue().equals(field))
                .map(Map.Entry::getKey)
                .findFirst()
                .orElse(field);
    }
}
