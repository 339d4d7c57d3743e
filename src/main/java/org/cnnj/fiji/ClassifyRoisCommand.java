package org.cnnj.fiji;

import ij.ImagePlus;
import ij.gui.Roi;
import ij.measure.ResultsTable;
import java.io.File;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cnnj.cls.ImageClassifier;
import org.cnnj.ij.ChannelChoice;
import org.cnnj.ij.ClassifyFiles;
import org.cnnj.ij.ResultsDisplay;
import org.cnnj.model.BuiltInModels;
import org.cnnj.runtime.Device;
import org.cnnj.runtime.EngineKind;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/**
 * Plugins › CNN-J › Classification › Classify ROIs…: classifies every ROI of the open image (the ROI Manager's, or a
 * zip's, e.g. the output of Segment Image…): each ROI is renamed "class (p=0.97)", put in its class's group and
 * coloured by class, a results table lists each ROI's class and probabilities, and a second table the counts per
 * class. With an output folder (required headless): rois.zip and classes.csv there.
 * Macro: {@code run("Classify ROIs...", "model=[/models/cells.onnx] rois=[] device=auto");}
 */
@Plugin(type = Command.class, menuPath = "Plugins>CNN-J>Classification>Classify ROIs...", headless = true)
public class ClassifyRoisCommand extends CnnjCommand {
    @Parameter(label = "Image")
    private ImagePlus image;

    @Parameter(label = "Classifier (.onnx, or cells (built-in))", style = "open")
    private File model = new File(BuiltInModels.CELLS);

    @Parameter(label = "ROI zip (empty: the ROI Manager)", style = "open", required = false)
    private File rois;

    @Parameter(label = "Channels (all, or e.g. 2,1 or DAPI)", description = Choices.CHANNELS_APPLY)
    private String channels = "all";

    @Parameter(
            label = "Device",
            choices = {"auto", "cpu", "cuda"},
            description = Choices.DEVICE)
    private String device = "auto";

    @Parameter(label = "Also save to folder (optional; required headless)", style = "directory", required = false)
    private File output;

    @Override
    protected String title() {
        return "Classify ROIs";
    }

    @Override
    protected String work() throws IOException {
        requireImage(image);
        if (output != null && output.getPath().isEmpty()) output = null;
        if (!ResultsDisplay.available() && output == null)
            throw new IllegalArgumentException("headless there is nothing to show results in; give output=[folder]");
        List<Roi> cells = imageRois(rois, image, "ROIs", "segment the image first (Segment Image…) or add ROIs (t)");
        List<ImageClassifier.Prediction> found;
        try (ImageClassifier c =
                ImageClassifier.open(model.toPath(), EngineKind.ORT, Device.parse(device), 0, log::warn)) {
            found = ClassifyFiles.classifyRois(c, ChannelChoice.parse(channels).apply(image, image.getTitle()), cells);
            if (output != null) {
                ClassifyFiles.writeRoiResults(c.spec(), image.getTitle(), cells, found, output.toPath());
            }
            if (ResultsDisplay.available()) show(c, cells, found);
        }
        Map<String, Integer> counts = ClassifyFiles.counts(found);
        return "classified " + found.size() + " ROIs of " + image.getTitle() + ": " + counts
                + (output != null ? "; saved in " + output : "");
    }

    private void show(ImageClassifier c, List<Roi> cells, List<ImageClassifier.Prediction> found) {
        ResultsDisplay.ImageRois taken = ResultsDisplay.roisOf(image);
        if ((rois == null || rois.getPath().isEmpty()) && taken != null) {
            // They were this image's ROIs of the manager: there they are replaced by the classified ones; the ROIs of
            // other images stay as they were.
            ResultsDisplay.replaceInRoiManager(taken.indexes(), cells, image);
        } else {
            ResultsDisplay.toRoiManager(cells, image, ResultsDisplay.RoiMode.REPLACE);
        }
        image.setOverlay(ResultsDisplay.outlines(cells, false));
        ResultsTable perRoi = new ResultsTable();
        for (int i = 0; i < cells.size(); i++) {
            ImageClassifier.Prediction p = found.get(i);
            perRoi.incrementCounter();
            perRoi.addValue("ROI", i + 1);
            perRoi.addValue("Class", p.className());
            perRoi.addValue("Probability", p.probability());
            for (int k = 0; k < c.spec().classes().size(); k++)
                perRoi.addValue("p_" + c.spec().classes().get(k), p.probabilities()[k]);
        }
        ResultsDisplay.showTable(perRoi, "CNN-J Classes");
        ResultsTable counts = new ResultsTable();
        Map<String, Integer> n = new LinkedHashMap<>();
        for (String k : c.spec().classes()) n.put(k, 0);
        ClassifyFiles.counts(found).forEach(n::put);
        n.forEach((k, v) -> {
            counts.incrementCounter();
            counts.addValue("Class", k);
            counts.addValue("Count", v);
        });
        ResultsDisplay.showTable(counts, "CNN-J Class Counts");
    }
}
