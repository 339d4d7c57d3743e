package org.cnnj.model;

import com.google.gson.annotations.SerializedName;
import java.util.Locale;

/** How pixels are scaled before the network sees them; the sidecar spells it "percentile" or "none". */
public enum NormalizationMethod {
    /** (v − p(low)) / (p(high) − p(low)) per image. */
    @SerializedName("percentile")
    PERCENTILE,
    /** Pixels as they are. */
    @SerializedName("none")
    NONE;

    /** The option as the CLI, macros and sidecars write it. */
    public String option() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** "percentile" or "none"; anything else is an error naming both. */
    public static NormalizationMethod parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        for (NormalizationMethod m : values()) if (m.option().equals(t)) return m;
        throw new IllegalArgumentException("normalization must be percentile or none, got \"" + text + "\"");
    }
}
