package org.cnnj.fiji;

import ij.IJ;
import ij.ImagePlus;
import ij.Macro;
import ij.WindowManager;
import ij.macro.Interpreter;
import ij.plugin.PlugIn;
import ij.plugin.frame.Recorder;
import java.awt.Dimension;
import java.awt.EventQueue;
import java.awt.Frame;
import java.awt.GraphicsEnvironment;
import java.awt.Point;
import java.awt.Rectangle;
import java.awt.Window;
import java.awt.event.WindowAdapter;
import java.awt.event.WindowEvent;
import java.io.File;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.swing.Timer;
import org.scijava.Context;
import org.scijava.command.Command;
import org.scijava.command.CommandInfo;
import org.scijava.command.CommandModule;
import org.scijava.command.CommandService;
import org.scijava.log.LogLevel;
import org.scijava.log.LogService;
import org.scijava.module.ModuleItem;

/**
 * The CNN-J commands in plain ImageJ 1 (no imagej-legacy): plugins.config lists this PlugIn under the
 * same menu paths and labels as the SciJava commands, with the command's class as argument. It reads
 * the macro options ({@code key=value}, {@code key=[value with spaces]}), checks every key against the
 * command's parameters (a misspelt key is an error naming the valid ones, not a silent default), and
 * runs the SciJava command itself, so a macro line means the same in Fiji and in ImageJ 1.
 * Without macro options (a menu click) it shows the command's dialog ({@link CommandDialog}), whose
 * labels make the Recorder write the same macro line.
 */
public class ImageJ1Command implements PlugIn {
    private static final Pattern OPTION = Pattern.compile("(\\w+)(?:=(\\[[^\\]]*\\]|\\S+))?");
    private static Context context;

    @Override
    public void run(String commandClass) {
        String options = Macro.getOptions();
        boolean asked = false;
        if (options == null && CommandDialog.interactive()) {
            asked = true;
            try {
                Class<? extends Command> type = Class.forName(commandClass).asSubclass(Command.class);
                options = CommandDialog.ask(
                        type, context().service(CommandService.class).getCommand(type));
            } catch (ReflectiveOperationException | RuntimeException e) {
                IJ.error("CNN-J", "CNN-J error: " + e.getMessage());
                return;
            }
            if (options == null) { // cancelled: ImageJ would still record the command's name, without options
                Recorder.setCommand(null);
                return;
            }
        }
        // The Recorder gets one line, the command's own, written below once it ran well: what ImageJ would add by
        // itself
        // (the dialog's reads, and "select=" from a Browse button) does not replay.
        if (asked) Recorder.setCommand(null);
        IJ.showStatus("CNN-J: " + label(commandClass).replace("...", "") + " is running...");
        String message = runCommand(commandClass, options == null ? "" : options);
        boolean failed = message.startsWith("CNN-J error");
        if (asked && !failed) record(commandClass, options);
        if (asked && !failed) CommandDialog.remember();
        else if (asked) CommandDialog.forget();
        // Without the ImageJ window (batch mode) a dialog would wait for a click nobody makes: log instead.
        if (failed && IJ.getInstance() != null) IJ.error("CNN-J", message);
        else if (failed || GraphicsEnvironment.isHeadless())
            IJ.log(message); // with a display the command's own log line is there already
        if (failed && IJ.getInstance() == null && Interpreter.isBatchMode()) {
            // ImageJ -batch: later steps need this one's output, and a script calling ImageJ must see the failure in
            // the exit code.
            System.err.println(message + " (batch run stopped, exit code 1)");
            System.exit(1);
        }
        if (failed && Interpreter.getInstance() != null)
            Macro.abort(); // stop the macro: later steps need this one's output
    }

    /** The macro line that runs the command again with these options, when the Recorder is on. */
    private static void record(String commandClass, String options) {
        if (!Recorder.record) return;
        try {
            CommandInfo info = context()
                    .service(CommandService.class)
                    .getCommand(Class.forName(commandClass).asSubclass(Command.class));
            String label = info.getMenuPath().getLeaf().getName();
            Recorder.recordString(
                    "run(\"" + label + "\"" + (options.isEmpty() ? "" : ", \"" + options + "\"") + ");\n");
        } catch (ReflectiveOperationException | RuntimeException e) {
            IJ.log("CNN-J: could not record the macro line: " + e.getMessage());
        }
    }

    /** The command's menu label ("Segment Image..."), or its class's name when it has none. */
    private static String label(String commandClass) {
        try {
            CommandInfo info = context()
                    .service(CommandService.class)
                    .getCommand(Class.forName(commandClass).asSubclass(Command.class));
            return info.getMenuPath().getLeaf().getName();
        } catch (ReflectiveOperationException | RuntimeException e) {
            return commandClass.substring(commandClass.lastIndexOf('.') + 1);
        }
    }

    /** Runs the command with these macro options; returns its summary, or "CNN-J error: ..." naming the problem. */
    public static String runCommand(String commandClass, String options) {
        try {
            Class<? extends Command> type = Class.forName(commandClass).asSubclass(Command.class);
            CommandService commands = context().service(CommandService.class);
            CommandInfo info = commands.getCommand(type);
            Map<String, Object> inputs = inputs(info, options);
            Set<Frame> before =
                    GraphicsEnvironment.isHeadless() ? Set.of() : Set.of(WindowManager.getNonImageWindows());
            CommandModule m = commands.run(type, false, inputs).get();
            if (m.isCanceled()) return "CNN-J error: " + m.getCancelReason();
            // Fiji's display post-processing shows output images; in ImageJ 1 this bridge does.
            if (!GraphicsEnvironment.isHeadless()) {
                quietActivations();
                Recorder.suspendRecording(); // showing a window makes it current on this thread, recorded too
                try {
                    List<ImagePlus> shown = new ArrayList<>();
                    m.getOutputs().values().forEach(v -> {
                        if (v instanceof ImagePlus imp) {
                            imp.show();
                            shown.add(imp);
                        }
                    });
                    inputs.values().stream()
                            .filter(v -> v instanceof ImagePlus)
                            .map(v -> (ImagePlus) v)
                            .findFirst()
                            .ifPresent(input -> {
                                arrangeBeside(input, shown, before);
                                keepCurrent(input, shown);
                            });
                } finally {
                    Recorder.resumeRecording();
                }
            }
            return String.valueOf(m.getOutput("summary"));
        } catch (IllegalArgumentException e) {
            return "CNN-J error: " + e.getMessage();
        } catch (Exception e) {
            return "CNN-J error: " + commandClass + " failed: " + e;
        }
    }

    /**
     * The windows a command opens and the input brought back to the front activate one after the other, and ImageJ
     * records each activation as a selectImage line, which is not the user's doing and names images a replay may not
     * have: the event thread records nothing for the window manager's moment (Recorder's per-thread suspension).
     */
    private static void quietActivations() {
        EventQueue.invokeLater(Recorder::suspendRecording);
        Timer resume = new Timer(2500, e -> Recorder.resumeRecording()); // fires on the event thread
        resume.setRepeats(false);
        resume.start();
    }

    /**
     * The output images' windows, then the windows the command opened (tables, a new ROI Manager; not the Log), beside
     * the input window instead of stacked over it ({@link #beside}); windows open before the command stay where the
     * user put them.
     */
    private static void arrangeBeside(ImagePlus input, List<ImagePlus> outputs, Set<Frame> before) {
        Window in = input.getWindow();
        if (in == null) return;
        List<Window> windows = new ArrayList<>();
        for (ImagePlus out : outputs) if (out.getWindow() != null) windows.add(out.getWindow());
        for (Frame f : WindowManager.getNonImageWindows())
            if (!before.contains(f) && !"Log".equals(f.getTitle()) && f.isVisible()) windows.add(f);
        List<Dimension> sizes = new ArrayList<>();
        for (Window w : windows) sizes.add(w.getSize());
        Rectangle screen = in.getGraphicsConfiguration().getBounds();
        List<Point> at = beside(in.getBounds(), sizes, screen);
        for (int i = 0; i < windows.size(); i++) windows.get(i).setLocation(at.get(i));
    }

    /**
     * Where result windows of {@code sizes} go so that none covers the input window or another result: each at the
     * first free place right of, then below, a window already placed (the input first), else left of the input; where
     * the screen has no free place, below the input as far as the screen allows.
     */
    static List<Point> beside(Rectangle input, List<Dimension> sizes, Rectangle screen) {
        int gap = 8;
        List<Rectangle> placed = new ArrayList<>(List.of(input));
        List<Point> out = new ArrayList<>();
        for (Dimension d : sizes) {
            List<Point> candidates = new ArrayList<>();
            for (Rectangle r : placed) {
                candidates.add(new Point(r.x + r.width + gap, r.y));
                candidates.add(new Point(r.x, r.y + r.height + gap));
            }
            candidates.add(new Point(input.x - gap - d.width, input.y));
            Point at = null;
            for (Point c : candidates) {
                Rectangle r = new Rectangle(c, d);
                if (screen.contains(r) && placed.stream().noneMatch(r::intersects)) {
                    at = c;
                    break;
                }
            }
            if (at == null)
                at = new Point(
                        Math.max(screen.x, Math.min(input.x, screen.x + screen.width - d.width)),
                        Math.max(
                                screen.y, Math.min(input.y + input.height + gap, screen.y + screen.height - d.height)));
            out.add(at);
            placed.add(new Rectangle(at, d));
        }
        return out;
    }

    /**
     * The input stays the current image, so running the command again works on it, not on its result. The
     * output windows take the focus when they open: at once without a window manager, a little later
     * with one (when it activates them), so the input is brought back both times, once each.
     */
    private static void keepCurrent(ImagePlus input, List<ImagePlus> outputs) {
        if (Interpreter.getInstance() != null)
            WindowManager.setTempCurrentImage(input); // a macro's own notion of "current"
        Runnable back = () -> {
            if (input.getWindow() == null) return;
            input.getWindow().toFront();
            WindowManager.setCurrentWindow(input.getWindow());
        };
        EventQueue.invokeLater(back);
        for (ImagePlus out : outputs) {
            Window w = out.getWindow();
            if (w == null) continue;
            WindowAdapter once = new WindowAdapter() {
                @Override
                public void windowActivated(WindowEvent e) {
                    w.removeWindowListener(this);
                    EventQueue.invokeLater(back);
                }
            };
            w.addWindowListener(once);
            // A click on the output later is the user's choice: stop watching after the window manager's moment.
            Timer stop = new Timer(2000, e -> w.removeWindowListener(once));
            stop.setRepeats(false);
            stop.start();
        }
    }

    /** The macro options as typed command inputs; unknown keys and unparsable values are named. */
    static Map<String, Object> inputs(CommandInfo info, String options) {
        Map<String, ModuleItem<?>> items = new LinkedHashMap<>();
        for (ModuleItem<?> item : CommandDialog.fields(info)) items.put(item.getName(), item);
        Map<String, Object> values = new LinkedHashMap<>();
        Matcher m = OPTION.matcher(options.trim());
        while (m.find()) {
            String key = m.group(1), raw = m.group(2);
            ModuleItem<?> item = items.get(key);
            if (item == null) {
                throw new IllegalArgumentException("unknown option \"" + key + "\" for "
                        + info.getMenuPath().getLeaf().getName() + "; its options are " + List.copyOf(items.keySet()));
            }
            String value = raw == null ? "true" : raw.startsWith("[") ? raw.substring(1, raw.length() - 1) : raw;
            values.put(key, CommandFields.convert(info.getMenuPath().getLeaf().getName(), item, value, k -> k));
        }
        for (ModuleItem<?> item : items.values()) {
            if (item.getType() == ImagePlus.class && values.get(item.getName()) == null) {
                ImagePlus current = WindowManager.getCurrentImage();
                if (current == null)
                    throw new IllegalArgumentException("no image is open; open an image first (File › Open)");
                values.put(item.getName(), current);
            }
            if (item.getType() == File.class && item.isRequired() && values.get(item.getName()) == null) {
                throw new IllegalArgumentException(
                        info.getMenuPath().getLeaf().getName() + " needs " + item.getName() + "=[path]");
            }
        }
        return values;
    }

    /**
     * One SciJava context for the session. ImageJ 1 loads plugins through its own class loader, which
     * SciJava's plugin discovery (it asks the thread's context class loader) would not see otherwise.
     */
    private static synchronized Context context() {
        if (context == null) {
            Thread t = Thread.currentThread();
            ClassLoader previous = t.getContextClassLoader();
            t.setContextClassLoader(ImageJ1Command.class.getClassLoader());
            try {
                context = new Context(CommandService.class);
                // Progress and errors of the commands go to ImageJ's Log window too, not only to the terminal.
                context.service(LogService.class).addLogListener(msg -> {
                    if (msg.level() <= LogLevel.INFO && !GraphicsEnvironment.isHeadless()) IJ.log(msg.text());
                });
            } finally {
                t.setContextClassLoader(previous);
            }
        }
        return context;
    }
}
