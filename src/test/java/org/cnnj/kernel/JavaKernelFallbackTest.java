package org.cnnj.kernel;

import org.cnnj.ops.GoldenOpsTest;
import org.cnnj.seg.UNetTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The plain-Java kernel (used when the Vector API is missing) must give the same PyTorch-matching results. */
class JavaKernelFallbackTest {
    private final MicroKernel original = Kernels.active();

    @BeforeEach
    void useJava() {
        Kernels.use(Kernels.java());
    }

    @AfterEach
    void restore() {
        Kernels.use(original);
    }

    @Test
    void convolutionsMatchPyTorch() {
        GoldenOpsTest golden = new GoldenOpsTest();
        for (String name : new String[] {
            "conv_basic",
            "conv_stride2",
            "conv_dilated",
            "conv_depthwise",
            "conv_grouped_rect",
            "conv_pointwise",
            "conv_wide",
            "conv_large_grid",
            "conv_rows"
        }) {
            golden.conv2d(name);
        }
        for (String name : new String[] {"convt_up2", "convt_k3s2", "convt_grouped", "convt_dilated"})
            golden.convTranspose2d(name);
    }

    @Test
    void uNetStepMatchesPyTorch() {
        new UNetTest().forwardBackwardAndAdamStepMatchPyTorch();
    }
}
