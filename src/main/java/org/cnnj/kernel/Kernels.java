package org.cnnj.kernel;

/**
 * Chooses the GEMM micro-kernel at run time: the Vector API one when the JVM was started with
 * {@code --add-modules jdk.incubator.vector} and it computes a known product correctly, else plain
 * Java. {@code -Dcnnj.kernel=java} forces the fallback.
 */
public final class Kernels {
    private static final MicroKernel JAVA = new JavaMicroKernel();
    private static final MicroKernel VECTOR = loadVector();
    private static volatile MicroKernel active =
            "java".equalsIgnoreCase(System.getProperty("cnnj.kernel")) || VECTOR == null ? JAVA : VECTOR;

    private Kernels() {}

    public static MicroKernel active() {
        return active;
    }

    public static MicroKernel java() {
        return JAVA;
    }

    /** The Vector API kernel, or null when this JVM lacks the incubator module. */
    public static MicroKernel vectorOrNull() {
        return VECTOR;
    }

    public static void use(MicroKernel kernel) {
        active = kernel;
    }

    /** Why the vector path is or is not active, for bench output and the self-test. */
    public static String describe() {
        if (VECTOR == null)
            return "java (Vector API unavailable: start the JVM with --add-modules jdk.incubator.vector)";
        return active.name() + (active == VECTOR ? " (Vector API)" : " (forced plain Java)");
    }

    /**
     * The 8×2 kernel where vectors are 512 bits wide, else the 6×2 one; {@code -Dcnnj.kernel=vector-6x2} forces the
     * latter on AVX-512 (to compare them).
     */
    private static MicroKernel loadVector() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) return null;
        if (!"vector-6x2".equalsIgnoreCase(System.getProperty("cnnj.kernel"))) {
            MicroKernel wide = loadVector("org.cnnj.kernel.Vector512MicroKernel");
            if (wide != null) return wide;
        }
        return loadVector("org.cnnj.kernel.VectorMicroKernel");
    }

    private static MicroKernel loadVector(String className) {
        try {
            MicroKernel k = (MicroKernel)
                    Class.forName(className).getDeclaredConstructor().newInstance();
            if (!selfTest(k)) return null;
            warmUp(k);
            return k;
        } catch (ReflectiveOperationException | LinkageError e) {
            return null; // also the 512-bit kernel's refusal of narrower vectors, wrapped in InvocationTargetException
        }
    }

    /**
     * Calls the kernels often with short loops so that C2 compiles them as whole methods before real
     * work arrives. Otherwise the first long GEMM can get an on-stack-replacement compile in which C2
     * cannot prove the vectors' exact types; the Vector API then falls back to boxed vectors that
     * allocate on every operation (measured: 10× slower with a GC storm) for the life of the process.
     */
    private static void warmUp(MicroKernel k) {
        int kc = 16, mr = k.mr(), nr = k.nr();
        float[] a = new float[kc * mr], b = new float[kc * nr + nr], c = new float[mr * nr];
        int[] rows = new int[Math.max(kc, mr)];
        float[] sums = new float[MicroKernel.DOT_SCRATCH];
        for (int i = 0; i < 6_000; i++) {
            k.compute(kc, a, 0, b, 0, c, 0, nr, (i & 1) == 0);
            k.computeIndirectB(kc, a, 0, b, rows, 0, 0, c, 0, nr, (i & 1) == 0);
            k.computeIndirectA(kc, b, rows, 0, 0, b, 0, c, 0, nr, (i & 1) == 0);
            k.dotBlock(16, b, 0, 16, b, rows, 0, 0, sums);
            k.sum(b, i & 7, 100);
            k.centredDot(80, a, i & 7, 0.5f, b, i & 15, 0.5f);
        }
    }

    /** One MR×NR block against the plain kernel: a broken vector path must never be used silently. */
    private static boolean selfTest(MicroKernel k) {
        int kc = 7, mr = k.mr(), nr = k.nr();
        float[] a = new float[kc * mr], b = new float[kc * nr];
        for (int i = 0; i < a.length; i++) a[i] = (i % 5) - 2;
        for (int i = 0; i < b.length; i++) b[i] = (i % 7) - 3;
        float[] c = new float[mr * nr];
        k.compute(kc, a, 0, b, 0, c, 0, nr, false);
        for (int i = 0; i < mr; i++) {
            for (int j = 0; j < nr; j++) {
                float expect = 0;
                for (int p = 0; p < kc; p++) expect += a[p * mr + i] * b[p * nr + j];
                if (c[i * nr + j] != expect) return false;
            }
        }
        return true;
    }
}
