package org.cnnj.fiji;

import ij.ImagePlus;
import ij.WindowManager;
import java.io.File;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.scijava.Context;
import org.scijava.command.Command;
import org.scijava.command.CommandInfo;
import org.scijava.log.Logger;
import org.scijava.module.ModuleItem;
import org.scijava.service.Service;

/**
 * A CNN-J command's parameters as the one list of its options: the ImageJ 1 dialog, the macro keys and the
 * command line ({@code ./cnnj segment --input ...}) are all made from it, with the same names, defaults (the
 * fields' initial values), choices and ranges, so an option added to a command is there everywhere at once.
 */
public final class CommandFields {
    /** One option: its macro key (also the CLI's --name), type, label, description, choices and default. */
    public record Option(
            String name,
            Class<?> type,
            String label,
            String description,
            List<String> choices,
            Object defaultValue,
            boolean required,
            String callback) {
        public boolean isFlag() {
            return type == boolean.class || type == Boolean.class;
        }
    }

    private CommandFields() {}

    /** The inputs a user sets (not services, the context or outputs), in declaration order. */
    static List<ModuleItem<?>> inputs(CommandInfo info) {
        List<ModuleItem<?>> out = new ArrayList<>();
        for (ModuleItem<?> item : info.inputs()) {
            Class<?> t = item.getType();
            if (!Service.class.isAssignableFrom(t) && t != Context.class && !Logger.class.isAssignableFrom(t))
                out.add(item);
        }
        return out;
    }

    /** The options of a command class, in the order its dialog shows them. */
    public static List<Option> options(Class<? extends Command> type) {
        Object defaults = newInstance(type);
        List<Option> out = new ArrayList<>();
        for (ModuleItem<?> item : inputs(new CommandInfo(type))) {
            out.add(new Option(
                    item.getName(),
                    item.getType(),
                    item.getLabel() == null || item.getLabel().isEmpty() ? item.getName() : item.getLabel(),
                    item.getDescription() == null ? "" : item.getDescription(),
                    item.getChoices() == null
                            ? List.of()
                            : item.getChoices().stream().map(String::valueOf).toList(),
                    value(defaults, item.getName()),
                    item.isRequired() && item.getType() == File.class && value(defaults, item.getName()) == null,
                    item.getCallback() == null || item.getCallback().isEmpty() ? null : item.getCallback()));
        }
        return out;
    }

    /**
     * A command with these options (name → text, as typed) set over its defaults, each converted and checked as
     * a macro's would be. Options whose field has a callback (e.g. the model, whose sidecar fills in other
     * fields) are set and their callbacks run first, as when a user picks them in the dialog; the others are
     * set after, so what the user gave explicitly wins.
     */
    public static <C extends Command> C filled(
            Class<C> type, Map<String, String> options, String who, Function<String, String> spelling) {
        CommandInfo info = new CommandInfo(type);
        Map<String, ModuleItem<?>> items = new LinkedHashMap<>();
        for (ModuleItem<?> item : inputs(info)) items.put(item.getName(), item);
        C command = type.cast(newInstance(type));
        if (command == null) throw new IllegalArgumentException(who + ": cannot create " + type.getSimpleName());
        for (boolean callbacks : new boolean[] {true, false}) {
            for (Map.Entry<String, String> e : options.entrySet()) {
                ModuleItem<?> item = items.get(e.getKey());
                if (item == null) throw new IllegalArgumentException(who + ": unknown option " + e.getKey());
                boolean hasCallback =
                        item.getCallback() != null && !item.getCallback().isEmpty();
                if (hasCallback != callbacks) continue;
                set(command, item.getName(), convert(who, item, e.getValue(), spelling));
                if (hasCallback) invoke(command, item.getCallback());
            }
        }
        return command; // required options: the caller checks them against Option.required() and names all missing
    }

    /**
     * Text → the parameter's type, checked against its choices and range; the message names the option (as
     * {@code spelling} writes its name: key for a macro, --name on the command line) and what it takes.
     */
    static Object convert(String who, ModuleItem<?> item, String value, Function<String, String> spelling) {
        Class<?> type = item.getType();
        String key = spelling.apply(item.getName());
        Object converted;
        try {
            if (type == File.class) converted = value.isEmpty() ? null : new File(value);
            else if (type == ImagePlus.class) {
                ImagePlus named = WindowManager.getImage(value);
                if (named == null) throw new IllegalArgumentException("no open image is titled \"" + value + "\"");
                converted = named;
            } else if (type == int.class || type == Integer.class) converted = Integer.parseInt(value.trim());
            else if (type == double.class || type == Double.class) converted = Double.parseDouble(value.trim());
            else if (type == float.class || type == Float.class) converted = Float.parseFloat(value.trim());
            else if (type == boolean.class || type == Boolean.class) converted = Boolean.parseBoolean(value.trim());
            else converted = value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(who + ": " + key + " must be "
                    + (type == int.class || type == Integer.class ? "a whole number" : "a number") + ", got \"" + value
                    + "\"");
        }
        List<?> choices = item.getChoices();
        if (choices != null
                && !choices.isEmpty()
                && choices.stream().map(String::valueOf).noneMatch(c -> c.equals(value))) {
            List<String> c = choices.stream().map(String::valueOf).toList();
            String list = c.size() == 1
                    ? c.get(0)
                    : String.join(", ", c.subList(0, c.size() - 1)) + " or " + c.get(c.size() - 1);
            throw new IllegalArgumentException(who + ": " + key + " takes " + list + ", not \"" + value + "\"");
        }
        if (converted instanceof Number n) {
            Object min = item.getMinimumValue(), max = item.getMaximumValue();
            double v = n.doubleValue();
            boolean low = min instanceof Number lo && v < lo.doubleValue(),
                    high = max instanceof Number hi && v > hi.doubleValue();
            if (low || high || Double.isNaN(v)) {
                throw new IllegalArgumentException(who + ": " + key + (key.startsWith("--") ? " " : "=") + value
                        + " is out of range; "
                        + (key.startsWith("--") ? item.getLabel() : CommandDialog.label(item)) + " takes "
                        + (min != null ? min : "any") + " to "
                        + (max != null ? max : "any"));
            }
        }
        return converted;
    }

    /** A fresh command, to read its fields' initial values (the defaults); null when it cannot be made. */
    static Object newInstance(Class<?> type) {
        try {
            return type.getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }

    static Object value(Object command, String name) {
        Field f = command == null ? null : field(command, name);
        try {
            return f == null ? null : f.get(command);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** The field of that name, declared by the command or a superclass, made accessible; null when there is none. */
    static Field field(Object command, String name) {
        for (Class<?> c = command.getClass(); c != null; c = c.getSuperclass()) {
            try {
                Field f = c.getDeclaredField(name);
                f.setAccessible(true);
                return f;
            } catch (NoSuchFieldException e) {
                // declared further up
            } catch (RuntimeException e) {
                return null;
            }
        }
        return null;
    }

    static boolean set(Object command, String name, Object value) {
        Field f = field(command, name);
        try {
            if (f == null) return false;
            f.set(command, value);
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }

    /** Runs a callback method (no arguments, declared by the command or a superclass); false when it failed. */
    static boolean invoke(Object command, String method) {
        for (Class<?> c = command.getClass(); c != null; c = c.getSuperclass()) {
            try {
                Method m = c.getDeclaredMethod(method);
                m.setAccessible(true);
                m.invoke(command);
                return true;
            } catch (NoSuchMethodException e) {
                // declared further up
            } catch (ReflectiveOperationException | RuntimeException e) {
                return false; // a failing callback leaves the values as they are; running the command says what is
                // wrong
            }
        }
        return false;
    }
}
