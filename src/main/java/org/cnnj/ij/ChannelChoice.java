package org.cnnj.ij;

import ij.ImagePlus;
import ij.ImageStack;
import ij.process.ColorProcessor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which of an image's channels a model sees, in which order — as Cellpose's and StarDist's {@code channels} say it: by
 * number from 1 ("2,1": the second channel first) or by name ("DAPI", "actin, DAPI"; an RGB image's are red, green and
 * blue; other images' are their channel labels, e.g. as Bio-Formats sets them). {@link #ALL}: every channel as it is.
 * Training and applying take the same option, so a model trained on channels 2,1 of a nucleus + membrane stack is
 * applied to the same channels of new stacks.
 */
public record ChannelChoice(List<String> wanted) {
    public static final ChannelChoice ALL = new ChannelChoice(List.of());

    public ChannelChoice {
        wanted = List.copyOf(wanted);
    }

    /** "all" (or empty), "2,1", "[2, 1]", "DAPI", "actin, DAPI". */
    public static ChannelChoice parse(String text) {
        String t = text == null ? "" : text.trim().replaceAll("^\\[|]$", "").trim();
        if (t.isEmpty() || t.equalsIgnoreCase("all")) return ALL;
        List<String> wanted = new ArrayList<>();
        for (String part : t.split(",")) {
            String p = part.trim();
            if (p.isEmpty())
                throw new IllegalArgumentException(
                        "channels: an empty entry in \"" + text + "\"; give e.g. 2,1 or DAPI");
            wanted.add(p);
        }
        return new ChannelChoice(wanted);
    }

    /** As an option writes it: "all" or "2,1". */
    public String option() {
        return wanted.isEmpty() ? "all" : String.join(",", wanted);
    }

    /** The channel names of an image: red, green, blue for RGB; else its channel labels, or "channel N". */
    public static List<String> names(ImagePlus imp) {
        if (imp.getBitDepth() == 24) return List.of("red", "green", "blue");
        List<String> names = new ArrayList<>();
        for (int c = 1; c <= imp.getNChannels(); c++) {
            String label = imp.getStack().getSliceLabel(imp.getStackIndex(c, 1, 1));
            label = label == null ? "" : label.lines().findFirst().orElse("").trim();
            names.add(label.isEmpty() ? "channel " + c : label);
        }
        return names;
    }

    /** The 0-based channels of {@code imp} this choice names ({@code name}: the image, for messages). */
    public int[] indices(ImagePlus imp, String name) {
        List<String> names = names(imp);
        int[] out = new int[wanted.size()];
        for (int i = 0; i < out.length; i++) out[i] = index(wanted.get(i), names, name);
        return out;
    }

    private static int index(String w, List<String> names, String image) {
        if (w.matches("\\d+")) {
            int c = Integer.parseInt(w);
            if (c < 1 || c > names.size())
                throw new IllegalArgumentException("channels: " + image + " has " + names.size() + " channel(s) ("
                        + String.join(", ", names) + "), no channel " + c + "; channels count from 1");
            return c - 1;
        }
        String lower = w.toLowerCase(Locale.ROOT);
        for (int c = 0; c < names.size(); c++) if (names.get(c).equalsIgnoreCase(w)) return c;
        int found = -1;
        for (int c = 0; c < names.size(); c++) {
            if (names.get(c).toLowerCase(Locale.ROOT).contains(lower)) {
                if (found >= 0)
                    throw new IllegalArgumentException("channels: \"" + w + "\" names more than one channel of " + image
                            + " (" + String.join(", ", names) + "); give its number");
                found = c;
            }
        }
        if (found < 0)
            throw new IllegalArgumentException("channels: " + image + " has no channel \"" + w + "\"; its channels are "
                    + String.join(", ", names) + " (or give numbers from 1)");
        return found;
    }

    /**
     * The image with only the chosen channels, in the chosen order (the planes are shared, not copied; an RGB image's
     * chosen colours become grey channels); the image itself for {@link #ALL}.
     */
    public ImagePlus apply(ImagePlus imp, String name) {
        if (wanted.isEmpty()) return imp;
        int[] chosen = indices(imp, name);
        boolean rgb = imp.getBitDepth() == 24;
        int positions = Planes.positions(imp);
        ImageStack in = imp.getStack(), out = new ImageStack(imp.getWidth(), imp.getHeight());
        List<String> names = names(imp);
        for (int p = 0; p < positions; p++) {
            for (int c : chosen) {
                if (rgb) {
                    ColorProcessor cp = (ColorProcessor) in.getProcessor(p + 1);
                    out.addSlice(names.get(c), cp.getChannel(c + 1, null));
                } else {
                    int index = p * imp.getNChannels() + c + 1;
                    out.addSlice(in.getSliceLabel(index), in.getProcessor(index));
                }
            }
        }
        ImagePlus view = new ImagePlus(imp.getTitle(), out);
        if (rgb) view.setDimensions(chosen.length, positions, 1);
        else if (imp.getNSlices() * imp.getNFrames() == positions)
            view.setDimensions(chosen.length, imp.getNSlices(), imp.getNFrames());
        else view.setDimensions(chosen.length, positions, 1);
        view.setCalibration(imp.getCalibration());
        return view;
    }
}
