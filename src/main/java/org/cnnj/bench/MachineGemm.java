package org.cnnj.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.cnnj.kernel.Gemm;
import org.cnnj.util.Parallel;
import org.cnnj.util.Rng;

/**
 * The machine's single-precision GEMM rate, measured in the same run as the training step so the step can
 * be stated as a fraction of it: a 2048² product through CNN-J's own kernel and, with {@code --blas},
 * through numpy/OpenBLAS in a child process (development only).
 */
final class MachineGemm {
    static final int SIZE = 2048;

    private MachineGemm() {}

    /** Best of three 2048² products through {@link Gemm#multiplyParallel} on all compute threads. */
    static double cnnjGflops() {
        Rng rng = new Rng(11);
        float[] a = new float[SIZE * SIZE], b = new float[SIZE * SIZE], c = new float[SIZE * SIZE];
        for (int i = 0; i < a.length; i++) {
            a[i] = rng.uniform(-1, 1);
            b[i] = rng.uniform(-1, 1);
        }
        double best = Double.MAX_VALUE;
        for (int rep = 0; rep < 4; rep++) {
            long t0 = System.nanoTime();
            Gemm.multiplyParallel(false, false, SIZE, SIZE, SIZE, a, 0, SIZE, b, 0, SIZE, c, 0, SIZE, false);
            if (rep > 0) best = Math.min(best, (System.nanoTime() - t0) / 1e9);
        }
        return 2.0 * SIZE * SIZE * SIZE / best / 1e9;
    }

    /**
     * numpy's SGEMM rate at the same thread count, or null when /usr/bin/python3 has no numpy. OPENBLAS_CORETYPE
     * is removed for the child only: set (e.g. to Haswell), it makes OpenBLAS skip its AVX-512 kernels.
     */
    static Map<String, Object> blas(int threads) throws IOException, InterruptedException {
        Path python = Path.of("/usr/bin/python3");
        if (!Files.isExecutable(python)) return null;
        String script = "import numpy as np, time\n"
                + "n=" + SIZE + "\n"
                + "a=np.random.rand(n,n).astype(np.float32); b=np.random.rand(n,n).astype(np.float32)\n"
                + "a@b\n"
                + "best=min((lambda t: (a@b, time.perf_counter()-t)[1])(time.perf_counter()) for _ in range(4))\n"
                + "print('gflops', 2*n**3/best/1e9)\n";
        ProcessBuilder pb = new ProcessBuilder(python.toString(), "-c", script).redirectErrorStream(true);
        pb.environment().remove("OPENBLAS_CORETYPE");
        pb.environment().put("OPENBLAS_NUM_THREADS", "" + threads);
        pb.environment().put("OMP_NUM_THREADS", "" + threads);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            System.err.println("bench: numpy SGEMM reference skipped (needs python3-numpy): " + out.strip());
            return null;
        }
        Matcher m = Pattern.compile("gflops ([0-9.eE+-]+)").matcher(out);
        if (!m.find()) return null;
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("library", "numpy/OpenBLAS, OPENBLAS_CORETYPE unset, " + threads + " threads");
        r.put("gflops", Double.parseDouble(m.group(1)));
        return r;
    }

    /** The section printed by the bench: both rates and the step as a fraction of the faster one. */
    static Map<String, Object> section(double stepGflops, boolean withBlas) throws IOException, InterruptedException {
        Map<String, Object> r = new LinkedHashMap<>();
        double own = cnnjGflops();
        r.put("size", SIZE + "x" + SIZE + "x" + SIZE);
        r.put("cnnj_kernel_gflops", own);
        double machine = own;
        if (withBlas) {
            Map<String, Object> blas = blas(Parallel.threads());
            r.put("blas", blas == null ? "unavailable" : blas);
            if (blas != null) machine = Math.max(machine, (Double) blas.get("gflops"));
        }
        r.put("machine_gemm_gflops", machine);
        r.put("fraction_of_machine_gemm", stepGflops / machine);
        return r;
    }
}
