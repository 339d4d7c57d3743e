package org.cnnj.fiji;

import ij.IJ;
import ij.ImagePlus;
import ij.Prefs;
import ij.WindowManager;
import ij.gui.DialogListener;
import ij.gui.GenericDialog;
import java.awt.AWTEvent;
import java.awt.Checkbox;
import java.awt.Choice;
import java.awt.Color;
import java.awt.Component;
import java.awt.GraphicsEnvironment;
import java.awt.Label;
import java.awt.TextField;
import java.io.File;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.Vector;
import org.cnnj.model.BuiltInModels;
import org.scijava.command.CommandInfo;
import org.scijava.module.ModuleItem;

/**
 * The dialog of a CNN-J command in plain ImageJ 1, built from the command's own parameters, so it lists
 * every option with its default, as Fiji's SciJava dialog does: Browse buttons for files and folders,
 * choice lists for enumerated values and for the open images, numeric fields, checkboxes, values
 * remembered between calls (IJ_Prefs), and a Help button. Every label starts with the option's macro key,
 * so ImageJ's Recorder writes exactly the macro API ({@code run("Segment Image...", "image=... model=[...]")}).
 */
final class CommandDialog {
    private CommandDialog() {}

    static List<ModuleItem<?>> fields(CommandInfo info) {
        return CommandFields.inputs(info);
    }

    /** The label a field gets: it starts with the macro key (what the Recorder writes), then says what the field is. */
    static String label(ModuleItem<?> item) {
        String key = item.getName(),
                text = item.getLabel() == null || item.getLabel().isEmpty() ? key : item.getLabel();
        String first = text.split("[ (:]", 2)[0];
        if (first.equalsIgnoreCase(key))
            return Character.toUpperCase(key.charAt(0)) + key.substring(1) + text.substring(first.length());
        boolean acronym = text.length() > 1
                && !Character.isLowerCase(text.charAt(1)); // "U-Net depth", "ROI zip": keep the capital
        return Character.toUpperCase(key.charAt(0)) + key.substring(1) + ": "
                + (acronym ? text.charAt(0) : Character.toLowerCase(text.charAt(0))) + text.substring(1);
    }

    /**
     * Shows the dialog and returns the options in macro syntax ("" when the command has none, so it runs
     * at once), or null when the user cancelled.
     */
    static String ask(Class<?> type, CommandInfo info) {
        List<ModuleItem<?>> fields = fields(info);
        if (fields.isEmpty()) return "";
        Object defaults = CommandFields.newInstance(type);
        String title = "CNN-J " + info.getMenuPath().getLeaf().getName().replace("...", "");
        GenericDialog gd = new GenericDialog(title);
        List<Component> components = new ArrayList<>(); // each field's component, in the order of fields
        StringBuilder help = new StringBuilder("<html><h2>").append(title).append("</h2><table>");
        for (ModuleItem<?> item : fields) {
            String key = item.getName(), label = label(item), remembered = Prefs.get(prefKey(type, key), null);
            Object initial = remembered != null ? remembered : CommandFields.value(defaults, key);
            Kind kind = kind(item);
            switch (kind) {
                case IMAGE -> {
                    String[] titles = WindowManager.getImageTitles();
                    if (titles.length == 0)
                        throw new IllegalArgumentException("no image is open; open an image first (File › Open)");
                    ImagePlus current = WindowManager.getCurrentImage();
                    gd.addChoice(label, titles, current != null ? current.getTitle() : titles[0]);
                }
                case FILE -> {
                    String path = initial == null ? "" : initial.toString();
                    if ("directory".equals(item.getWidgetStyle())) gd.addDirectoryField(label, path);
                    else gd.addFileField(label, path);
                }
                case FLAG -> gd.addCheckbox(label, Boolean.parseBoolean(String.valueOf(initial)));
                case WHOLE, NUMBER -> {
                    double v = initial == null ? 0 : Double.parseDouble(initial.toString());
                    gd.addNumericField(label, v, kind == Kind.WHOLE ? 0 : v != 0 && Math.abs(v) < 0.01 ? 6 : 3);
                }
                case CHOICE -> {
                    String[] c = item.getChoices().stream().map(String::valueOf).toArray(String[]::new);
                    String v = initial == null ? c[0] : initial.toString();
                    gd.addChoice(label, c, Arrays.asList(c).contains(v) ? v : c[0]);
                }
                case TEXT -> gd.addStringField(label, initial == null ? "" : initial.toString(), 28);
            }
            components.add(lastComponent(gd, kind));
            help.append("<tr><td><b>")
                    .append(key)
                    .append("</b></td><td>")
                    .append(escape(item.getLabel()))
                    .append(
                            item.getDescription() != null
                                            && !item.getDescription().isEmpty()
                                    ? " — " + escape(item.getDescription())
                                    : "")
                    .append("</td></tr>");
        }
        help.append("</table><p>Macro: <tt>run(\"")
                .append(escape(info.getMenuPath().getLeaf().getName()))
                .append(
                        "\", \"key=value ...\");</tt> with the keys above (the Recorder writes it for you). More in CNN-J's README.</p></html>");
        gd.addHelp(help.toString());
        gd.addMessage(" "); // where a value the command cannot take is named while the dialog is open
        Checks checks = new Checks(fields, components, (Label) gd.getMessage());
        Callbacks callbacks = defaults != null
                        && fields.stream()
                                .anyMatch(i -> i.getCallback() != null
                                        && !i.getCallback().isEmpty())
                ? new Callbacks(type, defaults, fields, components)
                : null;
        // Callbacks first: GenericDialog stops at the first listener that finds the dialog invalid, so with the checks
        // first a model chosen while another field is still empty would not fill its fields.
        if (callbacks != null) gd.addDialogListener(callbacks);
        gd.addDialogListener(checks);
        checks.dialogItemChanged(gd, new AWTEvent(gd, AWTEvent.RESERVED_ID_MAX + 1) {}); // the initial values
        gd.showDialog();
        if (gd.wasCanceled()) return null;
        return callbacks != null && callbacks.options != null ? callbacks.options : options(type, fields, gd);
    }

    /** The component GenericDialog made for the field just added (its lists grow in the order fields are added). */
    private static Component lastComponent(GenericDialog gd, Kind kind) {
        Vector<?> list = switch (kind) {
            case IMAGE, CHOICE -> gd.getChoices();
            case FLAG -> gd.getCheckboxes();
            case WHOLE, NUMBER -> gd.getNumericFields();
            case FILE, TEXT -> gd.getStringFields();
        };
        return (Component) list.get(list.size() - 1);
    }

    /**
     * Checks every value while the dialog is open, as the command would after OK (numbers, ranges, choices, files and
     * folders that must exist): the first problem is named under the fields and OK waits until it is mended, so a user
     * never retypes a dialog that closed on a bad value.
     */
    private static final class Checks implements DialogListener {
        private final List<ModuleItem<?>> fields;
        private final List<Component> components;
        private final Label message;

        Checks(List<ModuleItem<?>> fields, List<Component> components, Label message) {
            this.fields = fields;
            this.components = components;
            this.message = message;
        }

        @Override
        public boolean dialogItemChanged(GenericDialog gd, AWTEvent e) {
            if (e == null) return true; // OK: checked already, with every change
            String problem = null;
            for (int i = 0; i < fields.size() && problem == null; i++)
                problem = problem(fields.get(i), componentText(components.get(i)));
            if (message != null) {
                message.setForeground(Color.RED.darker());
                message.setText(problem == null ? " " : problem);
            }
            return problem == null;
        }
    }

    /** What is wrong with a field's text, as the command would say it, or null. */
    static String problem(ModuleItem<?> item, String text) {
        Kind kind = kind(item);
        if (kind == Kind.IMAGE || kind == Kind.FLAG) return null;
        String value = text == null ? "" : text.trim();
        if (kind == Kind.FILE) {
            if (value.isEmpty()) return item.isRequired() ? label(item) + ": choose one" : null;
            File f = new File(value);
            boolean builtIn = BuiltInModels.named(f.toPath()) != null;
            if ("directory".equals(item.getWidgetStyle())
                    && item.isRequired()
                    && !f.isDirectory()
                    && !item.getName().equals("output")) return item.getName() + ": no folder " + value;
            if ("open".equals(item.getWidgetStyle()) && !builtIn && !f.exists())
                return item.getName() + ": no file " + value + " (Browse to choose one)";
            return null;
        }
        try {
            CommandFields.convert("", item, value, name -> name);
            return null;
        } catch (IllegalArgumentException bad) {
            String m = bad.getMessage();
            return m.startsWith(": ") ? m.substring(2) : m;
        }
    }

    /**
     * The command's SciJava callbacks in the ImageJ 1 dialog, as Fiji's dialog runs them: when a field with a
     * callback changes (e.g. the model file), its value goes into a command instance, the callback runs
     * (e.g. reads the thresholds from the model's sidecar), and the fields it changed are shown.
     */
    private static final class Callbacks implements DialogListener {
        private final Class<?> type;
        private final Object command;
        private final List<ModuleItem<?>> fields;
        private final List<Component> components;
        /** The options, read in the listener's last call (OK): with a listener, only what it reads is recorded. */
        String options;
        /** Fields the user changed by hand: no callback overwrites them. */
        private final Set<Integer> typed = new HashSet<>();

        Callbacks(Class<?> type, Object command, List<ModuleItem<?>> fields, List<Component> components) {
            this.type = type;
            this.command = command;
            this.fields = fields;
            this.components = components;
        }

        @Override
        public boolean dialogItemChanged(GenericDialog gd, AWTEvent e) {
            if (e == null) { // OK: GenericDialog records what this call reads, then stops recording
                options = options(type, fields, gd);
                return true;
            }
            int i = components.indexOf(e.getSource());
            if (i < 0) return true;
            ModuleItem<?> item = fields.get(i);
            if (item.getCallback() == null || item.getCallback().isEmpty()) {
                typed.add(i);
                return true;
            }
            // The callback sees what the dialog shows (not the command's defaults), and changes only what it decides.
            for (int j = 0; j < fields.size(); j++) {
                if (j == i || kind(fields.get(j)) == Kind.IMAGE) continue;
                try {
                    Object v = CommandFields.convert(
                            "dialog", fields.get(j), componentText(components.get(j)), name -> name);
                    CommandFields.set(command, fields.get(j).getName(), v);
                } catch (IllegalArgumentException half) {
                    // a half-typed number: the command keeps its value for it; OK says what is wrong
                }
            }
            Map<String, Object> changed = callback(command, item, componentText(components.get(i)));
            for (int j = 0; j < fields.size(); j++) {
                Object v = changed.get(fields.get(j).getName());
                if (j != i && v != null && !typed.contains(j)) show(components.get(j), fields.get(j), v);
            }
            return true;
        }
    }

    /**
     * Sets {@code item} to the text the user typed, runs its callback and returns the fields it changed, with their new
     * values (empty when the item has no callback, the callback failed or changed nothing: the dialog stays as it is,
     * and running the command says what is wrong).
     */
    static Map<String, Object> callback(Object command, ModuleItem<?> item, String text) {
        Map<String, Object> changed = new LinkedHashMap<>();
        if (item.getCallback() == null || item.getCallback().isEmpty()) return changed;
        Object value = kind(item) == Kind.FILE ? (text.isBlank() ? null : new File(text.trim())) : text;
        if (!CommandFields.set(command, item.getName(), value)) return changed;
        Map<String, Object> before = values(command);
        if (!CommandFields.invoke(command, item.getCallback())) return changed;
        values(command).forEach((name, v) -> {
            if (!Objects.equals(before.get(name), v)) changed.put(name, v);
        });
        return changed;
    }

    /** Every field of the command (and its superclasses) by name. */
    private static Map<String, Object> values(Object command) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (Class<?> c = command.getClass(); c != null; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields())
                values.putIfAbsent(f.getName(), CommandFields.value(command, f.getName()));
        }
        return values;
    }

    private static String componentText(Component c) {
        if (c instanceof TextField t) return t.getText();
        if (c instanceof Choice ch) return ch.getSelectedItem();
        return c instanceof Checkbox b ? String.valueOf(b.getState()) : "";
    }

    /** Puts a value the callback set into the field's component, formatted as the dialog formats it. */
    private static void show(Component c, ModuleItem<?> item, Object v) {
        Kind kind = kind(item);
        String text = switch (kind) {
            case WHOLE -> String.valueOf(((Number) v).longValue());
            case NUMBER ->
                IJ.d2s(
                        ((Number) v).doubleValue(),
                        ((Number) v).doubleValue() != 0 && Math.abs(((Number) v).doubleValue()) < 0.01 ? 6 : 3);
            case IMAGE -> null; // an open image is the user's choice, never a model's
            default -> v.toString();
        };
        if (text == null) return;
        if (c instanceof TextField t && !t.getText().equals(text)) t.setText(text);
        else if (c instanceof Choice ch) ch.select(text);
        else if (c instanceof Checkbox b) b.setState(Boolean.parseBoolean(text));
    }

    /** The last dialog's values, remembered for next time only once the command ran with them ({@link #remember}). */
    private static final Map<String, String> PENDING = new LinkedHashMap<>();

    /** The last dialog's values become the next dialog's (the command ran well with them). */
    static void remember() {
        PENDING.forEach(Prefs::set);
        PENDING.clear();
    }

    /** The last dialog's values are dropped (the command failed: the next dialog shows the values that last ran). */
    static void forget() {
        PENDING.clear();
    }

    /** The dialog's values as macro options, kept to be remembered once they ran ({@link #remember}). */
    private static String options(Class<?> type, List<ModuleItem<?>> fields, GenericDialog gd) {
        StringBuilder o = new StringBuilder();
        for (ModuleItem<?> item : fields) {
            String key = item.getName(), value;
            Kind kind = kind(item);
            switch (kind) {
                case IMAGE, CHOICE -> value = gd.getNextChoice();
                case FLAG -> {
                    boolean b = gd.getNextBoolean();
                    PENDING.put(prefKey(type, key), String.valueOf(b));
                    if (b) o.append(o.length() > 0 ? " " : "").append(key);
                    continue;
                }
                case WHOLE, NUMBER -> {
                    double v = gd.getNextNumber();
                    if (Double.isNaN(v)) throw new IllegalArgumentException(label(item) + ": not a number");
                    value = kind == Kind.WHOLE
                            ? String.valueOf((long) Math.rint(v))
                            : String.format(Locale.ROOT, "%s", v);
                }
                default -> value = gd.getNextString().trim(); // FILE, TEXT
            }
            if (kind != Kind.IMAGE)
                PENDING.put(prefKey(type, key), value); // image titles change from session to session
            o.append(o.length() > 0 ? " " : "").append(key).append('=').append(quote(value));
        }
        return o.toString();
    }

    /** What a parameter becomes in the dialog (the same order of tests for building and for reading it). */
    enum Kind {
        IMAGE,
        FILE,
        FLAG,
        WHOLE,
        NUMBER,
        CHOICE,
        TEXT
    }

    static Kind kind(ModuleItem<?> item) {
        Class<?> t = item.getType();
        if (t == ImagePlus.class) return Kind.IMAGE;
        if (t == File.class) return Kind.FILE;
        if (t == boolean.class || t == Boolean.class) return Kind.FLAG;
        if (t == int.class || t == Integer.class) return Kind.WHOLE;
        if (t == double.class || t == Double.class || t == float.class || t == Float.class) return Kind.NUMBER;
        if (item.getChoices() != null && !item.getChoices().isEmpty()) return Kind.CHOICE;
        return Kind.TEXT;
    }

    /** key=value as ImageJ writes it: brackets around values with spaces, and for empty ones. */
    static String quote(String value) {
        return value.isEmpty() || value.contains(" ") ? "[" + value + "]" : value;
    }

    private static String prefKey(Class<?> type, String key) {
        return "cnnj." + type.getSimpleName() + "." + key;
    }

    private static String escape(String s) {
        return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    /** Whether ImageJ's GUI is up (a dialog can be shown and answered). */
    static boolean interactive() {
        return !GraphicsEnvironment.isHeadless() && IJ.getInstance() != null;
    }
}
