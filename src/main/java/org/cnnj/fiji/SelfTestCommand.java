package org.cnnj.fiji;

import java.io.IOException;
import org.cnnj.seg.SelfTest;
import org.scijava.command.Command;
import org.scijava.plugin.Plugin;

/**
 * Plugins › CNN-J › Devices / Self-test: ONNX Runtime version and providers, CUDA status (with what is
 * missing), Vector API path, threads, and a check run of the bundled nuclei model against its stored
 * result. The report goes to the log (and the summary output). Macro: {@code run("Devices / Self-test");}
 */
@Plugin(type = Command.class, menuPath = "Plugins>CNN-J>Devices / Self-test", headless = true)
public class SelfTestCommand extends CnnjCommand {
    @Override
    protected String title() {
        return "Devices / Self-test";
    }

    @Override
    protected String work() throws IOException {
        SelfTest.Report r = SelfTest.run();
        for (String line : r.lines()) log.info("CNN-J: " + line);
        if (!r.passed()) throw new IOException("self-test FAILED:\n" + r.text());
        return r.text();
    }
}
