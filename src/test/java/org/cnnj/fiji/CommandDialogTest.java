package org.cnnj.fiji;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.Macro;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.cnnj.det.DetectorSpec;
import org.cnnj.seg.SegmentationTask;
import org.cnnj.seg.UNetConfig;
import org.cnnj.testing.SingleUNetSidecar;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scijava.command.Command;
import org.scijava.command.CommandInfo;
import org.scijava.command.CommandService;
import org.scijava.module.ModuleItem;

/**
 * The ImageJ 1 dialogs record what the macro API reads: ImageJ's Recorder takes each field's key from
 * its label (Macro.trimKey: up to the first space or colon, lower-cased), so every label of every
 * command in plugins.config must start with its parameter's name, and the values the dialog writes must
 * parse back to the same inputs.
 */
class CommandDialogTest extends HeadlessContext {
    @TempDir
    Path dir;

    private static List<String> commandClasses() throws Exception {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("ImageJ1Command\\(\"([\\w.]+)\"\\)")
                .matcher(Files.readString(Path.of("src/main/resources/plugins.config")));
        while (m.find()) out.add(m.group(1));
        return out;
    }

    @Test
    void everyDialogLabelRecordsAsItsMacroKey() throws Exception {
        List<String> classes = commandClasses();
        assertTrue(classes.size() >= 12, "commands in plugins.config: " + classes);
        int fields = 0;
        for (String c : classes) {
            CommandInfo info = context.service(CommandService.class)
                    .getCommand(Class.forName(c).asSubclass(Command.class));
            for (ModuleItem<?> item : CommandDialog.fields(info)) {
                String label = CommandDialog.label(item);
                assertEquals(
                        item.getName(),
                        Macro.trimKey(label),
                        c + ": the Recorder would write \"" + Macro.trimKey(label) + "=\" for " + label);
                fields++;
            }
        }
        assertTrue(fields > 60, "fields checked: " + fields);
    }

    @Test
    void everyChoiceSaysInHelpWhatItsChoicesMean() throws Exception {
        int checked = 0;
        for (String c : commandClasses()) {
            CommandInfo info = context.service(CommandService.class)
                    .getCommand(Class.forName(c).asSubclass(Command.class));
            for (ModuleItem<?> item : CommandDialog.fields(info)) {
                List<?> choices = item.getChoices();
                if (choices == null || choices.isEmpty()) continue;
                String what = item.getDescription() == null ? "" : item.getDescription();
                assertFalse(what.isBlank(), c + ": Help would only repeat the label of " + item.getName());
                if (choices.size() <= 4)
                    for (Object choice : choices)
                        assertTrue(
                                what.contains(choice + ":") || what.contains(choice + " ("),
                                c + ": the Help of " + item.getName() + " does not say what \"" + choice + "\" means: "
                                        + what);
                checked++;
            }
        }
        assertTrue(checked >= 18, "choice fields checked: " + checked);
    }

    @Test
    void theOptionsADialogWritesParseBackThroughTheMacroApi() throws Exception {
        CommandInfo info = context.service(CommandService.class).getCommand(TrainSegmentationCommand.class);
        String recorded =
                "images=[/data/my images] labels=[] output=/m/x.onnx task=instances classes=[] diameter=17.5 epochs=3 steps=2 patch=64"
                        + " batch=4 depth=2 filters=8 rate=0.003 elastic=0 from=[] freeze";
        var inputs = ImageJ1Command.inputs(info, recorded);
        assertEquals(new File("/data/my images"), inputs.get("images"));
        assertEquals(null, inputs.get("labels"));
        assertEquals(17.5, inputs.get("diameter"));
        assertEquals(true, inputs.get("freeze"));
        assertEquals("[a b]", CommandDialog.quote("a b"));
        assertEquals("[]", CommandDialog.quote(""));
    }

    private ModuleItem<?> item(Class<? extends Command> type, String name) {
        CommandInfo info = context.service(CommandService.class).getCommand(type);
        return CommandDialog.fields(info).stream()
                .filter(i -> i.getName().equals(name))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void choosingAModelInTheDialogFillsTheFieldsItsSidecarDecides() throws Exception {
        DetectImageCommand detect = new DetectImageCommand();
        CommandDialog.callback(detect, item(DetectImageCommand.class, "model"), "models/detector.onnx");
        var spec = DetectorSpec.read(Path.of("models/detector.json"));
        assertEquals(
                (double) spec.scoreThreshold(), ((Number) CommandFields.value(detect, "score")).doubleValue(), 1e-6);
        assertEquals((double) spec.nmsIou(), ((Number) CommandFields.value(detect, "nms")).doubleValue(), 1e-6);
        TrainSegmentationCommand typed = new TrainSegmentationCommand();
        assertTrue(CommandFields.set(typed, "epochs", 2) && CommandFields.set(typed, "steps", 5)); // the user's values
        var train = CommandDialog.callback(typed, item(TrainSegmentationCommand.class, "from"), "models/nuclei.onnx");
        assertEquals(16.4, (double) train.get("diameter"), 1e-9);
        assertTrue(
                !train.containsKey("epochs")
                        && !train.containsKey("steps")
                        && !train.containsKey("task")
                        && !train.containsKey("depth"),
                "only the fields the model decides and that change are given back (the built-in model is an ensemble:"
                        + " no one U-Net depth): " + train.keySet());
        assertEquals(List.of(2, 5), List.of(CommandFields.value(typed, "epochs"), CommandFields.value(typed, "steps")));
        // A single U-Net's sidecar (the built-in graph under it: the dialog reads the sidecar) gives its shape too.
        Path single =
                SingleUNetSidecar.write(dir.resolve("single.onnx"), new UNetConfig(1, 4, 2, 8, true, false, 0f), 12);
        var one = CommandDialog.callback(
                new TrainSegmentationCommand(), item(TrainSegmentationCommand.class, "from"), single.toString());
        assertEquals(2, one.get("depth"), "a single U-Net's depth");
        assertEquals(8, one.get("filters"));
        assertEquals(12.0, (double) one.get("diameter"), 1e-9);
        // Not (yet) a model: nothing changes; fields without a callback run nothing.
        var none = CommandDialog.callback(
                new TrainSegmentationCommand(), item(TrainSegmentationCommand.class, "from"), "/no/such.onnx");
        assertTrue(none.isEmpty(), "a file that is not a model changes no field: " + none);
        assertTrue(CommandDialog.callback(
                        new TrainSegmentationCommand(), item(TrainSegmentationCommand.class, "epochs"), "3")
                .isEmpty());
    }

    @Test
    void menuLabelsAreTheSciJavaCommandsOwnAndTheOldLabelsStayAsAliases() throws Exception {
        Set<String> aliases = new HashSet<>();
        int commands = 0;
        Matcher m = Pattern.compile(
                        "(?m)^Plugins>([^,]+), \"([^\"]+)\", org\\.cnnj\\.fiji\\.ImageJ1Command\\(\"([\\w.]+)\"\\)")
                .matcher(Files.readString(Path.of("src/main/resources/plugins.config")));
        while (m.find()) {
            CommandInfo info = context.service(CommandService.class)
                    .getCommand(Class.forName(m.group(3)).asSubclass(Command.class));
            String path = "Plugins>" + m.group(1) + ">" + m.group(2);
            if (m.group(1).contains("Older Macros")) {
                aliases.add(m.group(2));
                assertTrue(info != null, m.group(3));
            } else {
                assertEquals(
                        info.getMenuPath().getMenuString().replace(" > ", ">"),
                        path,
                        "plugins.config and the SciJava menu path of " + m.group(3));
                commands++;
            }
        }
        long sciJava = context.service(CommandService.class).getCommands().stream()
                .filter(c -> c.getMenuPath() != null
                        && c.getMenuPath().getMenuString().startsWith("Plugins > CNN-J"))
                .count();
        assertEquals(sciJava, commands, "every SciJava command of CNN-J has its plain ImageJ 1 entry");
        assertEquals(19, commands);
        assertEquals(Set.of("Segment...", "Detect...", "Train Segmentation...", "Train Detector..."), aliases);
    }

    @Test
    void aNumberOutsideItsRangeIsNamedWithTheRange() {
        CommandInfo info = context.service(CommandService.class).getCommand(DetectImageCommand.class);
        var e = Assertions.assertThrows(IllegalArgumentException.class, () -> ImageJ1Command.inputs(info, "score=1.5"));
        assertTrue(
                e.getMessage().contains("score=1.5 is out of range")
                        && e.getMessage().contains("0.0 to 1.0"),
                e.getMessage());
        CommandInfo train = context.service(CommandService.class).getCommand(TrainSegmentationCommand.class);
        var depth = Assertions.assertThrows(
                IllegalArgumentException.class, () -> ImageJ1Command.inputs(train, "images=/x output=/m.onnx depth=9"));
        assertTrue(depth.getMessage().contains("depth=9 is out of range"), depth.getMessage());
    }

    @Test
    void theTaskChoicesOfTheDialogAreTheTasksTheLibraryKnows() {
        var choices = item(TrainSegmentationCommand.class, "task").getChoices();
        assertEquals(
                Arrays.stream(SegmentationTask.values())
                        .map(SegmentationTask::option)
                        .toList(),
                choices);
    }

    /** What the dialog says under its fields while it is open (OK waits until it is mended). */
    @Test
    void valuesAreCheckedWhileTheDialogIsOpen() throws Exception {
        assertTrue(
                CommandDialog.problem(item(TrainSegmentationCommand.class, "depth"), "9")
                        .contains("out of range"),
                CommandDialog.problem(item(TrainSegmentationCommand.class, "depth"), "9"));
        assertTrue(CommandDialog.problem(item(TrainSegmentationCommand.class, "epochs"), "two")
                .contains("whole number"));
        assertEquals(null, CommandDialog.problem(item(TrainSegmentationCommand.class, "epochs"), "3"));
        assertEquals(null, CommandDialog.problem(item(SegmentImageCommand.class, "model"), "nuclei (built-in)"));
        assertTrue(CommandDialog.problem(item(SegmentImageCommand.class, "model"), "/no/such.onnx")
                .contains("no file /no/such.onnx"));
        assertTrue(CommandDialog.problem(item(DetectImageCommand.class, "score"), "1.5")
                .contains("out of range"));
    }
}
