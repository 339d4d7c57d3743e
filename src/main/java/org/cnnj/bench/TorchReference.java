package org.cnnj.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A PyTorch reference timing: a development script under src/test/python run with Debian's /usr/bin/python3 (never at
 * run time of the product), its printed seconds_per_step_median read back; null (said on stderr) where it cannot run.
 */
final class TorchReference {
    private TorchReference() {}

    static Double secondsPerStep(String script, List<String> args, String bench)
            throws IOException, InterruptedException {
        Path file = Path.of("src/test/python", script);
        if (!Files.exists(file) || !Files.exists(Path.of("/usr/bin/python3"))) {
            System.err.println(bench + ": PyTorch reference skipped (needs the source tree and /usr/bin/python3 with"
                    + " python3-torch)");
            return null;
        }
        List<String> command = new ArrayList<>(List.of("/usr/bin/python3", file.toString()));
        command.addAll(args);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            System.err.println(bench + ": PyTorch reference failed:\n" + out);
            return null;
        }
        Matcher m =
                Pattern.compile("\"seconds_per_step_median\":\\s*([0-9.eE+-]+)").matcher(out);
        return m.find() ? Double.parseDouble(m.group(1)) : null;
    }
}
