package org.cnnj.runtime;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.cnnj.onnx.Float16;
import org.cnnj.tensor.Tensor;

/**
 * ONNX Runtime session for any model with one float NCHW input (ours or exported from PyTorch).
 * Inputs go in through direct, native-order buffers, which ORT reads without copying.
 */
public final class OrtEngine implements Engine {
    private final OrtSession session;
    private final String inputName, description;
    private final long[] inputDims;
    /** A model converted to half precision with a FLOAT16 input: CNN-J's float32 values are rounded on the way in. */
    private final boolean halfInput;

    private final ThreadLocal<FloatBuffer> buffers = ThreadLocal.withInitial(() -> direct(0));
    /** On a GPU: the CPU session a tile too large for the GPU's memory runs on (null on the CPU). */
    private final MemoryFallback<OrtEngine> fallback;

    private OrtEngine(OrtSession session, String description, int rank, MemoryFallback<OrtEngine> fallback)
            throws OrtException {
        this.session = session;
        this.description = description;
        this.fallback = fallback;
        if (session.getInputInfo().size() != 1) {
            throw new IllegalArgumentException(
                    "the model has " + session.getInputInfo().size() + " inputs " + session.getInputNames()
                            + "; CNN-J runs models with exactly one image input [N, C, H, W]");
        }
        NodeInfo in = session.getInputInfo().values().iterator().next();
        this.inputName = in.getName();
        if (!(in.getInfo() instanceof TensorInfo t)
                || (t.type != OnnxJavaType.FLOAT && t.type != OnnxJavaType.FLOAT16)
                || t.getShape().length != rank) {
            throw new IllegalArgumentException("the model input '" + inputName + "' is " + in.getInfo()
                    + "; CNN-J needs a float tensor laid out "
                    + (rank == 5
                            ? "[N, C, D, H, W] for a volume model (channels first)"
                            : "[N, C, H, W] (channels first). Re-export the model with an NCHW float input"));
        }
        this.inputDims = t.getShape();
        this.halfInput = t.type == OnnxJavaType.FLOAT16;
    }

    /**
     * Opens {@code model}. AUTO tries CUDA first and, if it cannot be used, logs why in one line and
     * uses the CPU; CUDA fails with that reason instead. {@code threads} ≤ 0 lets ORT decide.
     */
    /** Whether this session has said why CUDA is not used (it is said once). */
    private static final AtomicBoolean CUDA_SAID = new AtomicBoolean();

    private static volatile String cudaProblem;

    /** Why CUDA was not used the last time a model was opened with device auto, or null when it was (or not tried). */
    public static String cudaProblem() {
        return cudaProblem;
    }

    private static volatile OrtEnvironment environment;

    /** The stack ONNX Runtime's environment is created on (address space, touched only as deep as it goes). */
    static final long ENVIRONMENT_STACK = 1L << 30;

    /**
     * ONNX Runtime's environment, created once on a thread with a 1 GB stack, with its telemetry then turned off.
     * Since 1.29 ORT on Linux starts a telemetry recorder with the environment (events of every session and run in a
     * database under the home folder, uploaded to Microsoft), and the recorder matches regular expressions against
     * the process's command line with a recursive matcher: a JVM started with a long command line — a class path of
     * a hundred jars, as Fiji's launcher or a test runner gives — dies of a stack overflow (SIGSEGV, no crash
     * report; measured: from about 8 KB of command line on a default 1 MB thread stack; Vespa's PR #37786 found the
     * same). The deep stack lets it finish; processes CNN-J starts also get ORT_DISABLE_TELEMETRY=1, which keeps the
     * recorder from starting at all (ORT issues #32173, #32226: other crashes of it).
     */
    public static OrtEnvironment environment() {
        OrtEnvironment env = environment;
        if (env != null) return env;
        synchronized (OrtEngine.class) {
            if (environment != null) return environment;
            OrtEnvironment[] made = {null};
            RuntimeException[] failed = {null};
            Thread t = new Thread(
                    null,
                    () -> {
                        try {
                            made[0] = OrtEnvironment.getEnvironment();
                        } catch (RuntimeException e) {
                            failed[0] = e;
                        }
                    },
                    "onnxruntime-environment",
                    ENVIRONMENT_STACK);
            try {
                t.start();
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while ONNX Runtime started", e);
            } catch (OutOfMemoryError e) { // no room for that stack (a limited address space): the caller's then
                made[0] = OrtEnvironment.getEnvironment();
            }
            if (failed[0] != null) throw failed[0];
            try {
                made[0].setTelemetry(false);
            } catch (OrtException e) {
                // a build without telemetry
            }
            environment = made[0];
            return environment;
        }
    }

    public static OrtEngine open(Path model, Device device, int threads, Consumer<String> log) throws IOException {
        return open(model, device, threads, log, 4);
    }

    /** Opens a volume model: input [N, C, D, H, W] (a 3-D network). */
    public static OrtEngine openVolume(Path model, Device device, int threads, Consumer<String> log)
            throws IOException {
        return open(model, device, threads, log, 5);
    }

    private static OrtEngine open(Path model, Device device, int threads, Consumer<String> log, int rank)
            throws IOException {
        if (!Files.isRegularFile(model))
            throw new IOException("model file " + model + " does not exist; check the path");
        OrtEnvironment env = environment();
        Placement placed = placement(device, threads, log);
        OrtSession.SessionOptions options = placed.options();
        String where = placed.where();
        try {
            OrtSession session = env.createSession(model.toString(), options);
            // On a GPU, a tile too large for its memory runs on the CPU rather than failing the image.
            MemoryFallback<OrtEngine> fallback = where.equals("cpu")
                    ? null
                    : new MemoryFallback<>(() -> open(model, Device.CPU, threads, log, rank), log);
            return new OrtEngine(
                    session,
                    "onnxruntime " + env.getVersion() + " on " + where
                            + (threads > 0 ? ", " + threads + " threads" : ""),
                    rank,
                    fallback);
        } catch (OrtException e) {
            throw new IOException(
                    model + " could not be loaded by ONNX Runtime: " + e.getMessage()
                            + "; is it a complete ONNX file? (re-export or copy it again)",
                    e);
        } finally {
            options.close();
        }
    }

    /** Session options on {@code where} ("cpu" or "cuda:0"), to be closed by the caller. */
    record Placement(OrtSession.SessionOptions options, String where) {}

    /**
     * Session options for {@code device}: AUTO tries CUDA first and, if it cannot be used, says why once and uses the
     * CPU; CUDA fails with that reason instead.
     */
    static Placement placement(Device device, int threads, Consumer<String> log) throws IOException {
        String where = "cpu";
        OrtSession.SessionOptions options = options(threads);
        if (device != Device.CPU) {
            try {
                options.addCUDA(0);
                where = "cuda:0";
            } catch (OrtException | UnsatisfiedLinkError | IllegalArgumentException e) {
                String why = cudaProblem(e);
                options.close();
                if (device == Device.CUDA) {
                    throw new IOException("CUDA was requested but cannot be used: " + why
                            + ". Install CUDA 12 and cuDNN 9 and use the"
                            + " onnxruntime_gpu jar (mvn -Pcuda), or choose device=cpu");
                }
                // Once per session: every command would otherwise repeat it; Devices / Self-test says it again.
                cudaProblem = why;
                if (CUDA_SAID.compareAndSet(false, true))
                    log.accept("CNN-J: CUDA not available (" + why + "); running on the CPU");
                options = options(threads);
            }
        }
        return new Placement(options, where);
    }

    private static OrtSession.SessionOptions options(int threads) throws IOException {
        try {
            OrtSession.SessionOptions o = new OrtSession.SessionOptions();
            o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            if (threads > 0) o.setIntraOpNumThreads(threads);
            return o;
        } catch (OrtException e) {
            throw new IOException("ONNX Runtime could not be configured: " + e.getMessage(), e);
        }
    }

    /** ORT's own words name the missing library (e.g. libcudnn.so.9); a CPU-only build says CUDA is not in it. */
    static String cudaProblem(Throwable e) {
        String m = String.valueOf(e.getMessage()).replaceAll("\\s+", " ").trim();
        if (!OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)) {
            return "this ONNX Runtime build has no CUDA support (" + m + ")";
        }
        return m;
    }

    /** Channels the model wants, or -1 if the model leaves it open. */
    public long inputChannels() {
        return inputDims[1];
    }

    @Override
    public Tensor run(Tensor x) {
        return runAll(x).get(0);
    }

    /** Every output of the model, in the model's output order (e.g. features, objectness, deltas of a detector). */
    public List<Tensor> runAll(Tensor x) {
        return fallback == null ? runHere(x) : fallback.run(x, () -> runHere(x), cpu -> cpu.runAll(x));
    }

    private List<Tensor> runHere(Tensor x) {
        if (x.rank() == inputDims.length && inputDims[1] > 0 && x.dim(1) != inputDims[1]) {
            throw new IllegalArgumentException(
                    "the model expects " + inputDims[1] + " input channels but the image has " + x.dim(1)
                            + "; convert the image (split or merge channels) to match");
        }
        long[] shape = Arrays.stream(x.shape()).asLongStream().toArray();
        try (OnnxTensor input = input(x, shape);
                OrtSession.Result result = session.run(Map.of(inputName, input))) {
            List<Tensor> outputs = new ArrayList<>();
            for (int i = 0; i < result.size(); i++) {
                OnnxTensor out = (OnnxTensor) result.get(i);
                float[] data = floats(out);
                outputs.add(Tensor.of(
                        data,
                        Arrays.stream(out.getInfo().getShape())
                                .mapToInt(d -> (int) d)
                                .toArray()));
            }
            return outputs;
        } catch (OrtException e) {
            if (MemoryFallback.outOfMemory(e.getMessage())) {
                throw new MemoryFallback.OutOfDeviceMemory(
                        "ONNX Runtime ran out of memory on an input of " + Arrays.toString(shape) + " ("
                                + e.getMessage().lines().findFirst().orElse("") + "); use a smaller tile",
                        e);
            }
            // Mostly a tile the graph cannot take: a U-Net's pooling needs sides that are multiples of 2^depth.
            throw new IllegalArgumentException(
                    "the model cannot run on an input of " + Arrays.toString(shape)
                            + " (ONNX Runtime: "
                            + e.getMessage().lines().findFirst().orElse("") + "); if its sides must be"
                            + " multiples of a larger number than the model's tile multiple says, give that (tile-multiple=16 or"
                            + " 32, command line --tile-multiple), or fix the sidecar's tileMultiple",
                    e);
        }
    }

    /** The input tensor over this thread's direct buffer (ORT reads it without a copy), or as FLOAT16 values. */
    private OnnxTensor input(Tensor x, long[] shape) throws OrtException {
        if (halfInput) return OnnxTensor.createTensor(environment(), halves(x.data()), shape, OnnxJavaType.FLOAT16);
        FloatBuffer in = buffers.get();
        if (in.capacity() < x.size()) {
            in = direct(x.size());
            buffers.set(in);
        }
        in.clear();
        in.put(x.data()).flip();
        return OnnxTensor.createTensor(environment(), in, shape);
    }

    /** Values as FLOAT16 in a direct native-order buffer, for a model whose input is half precision. */
    private static ByteBuffer halves(float[] values) {
        ByteBuffer b = ByteBuffer.allocateDirect(Math.max(2, 2 * values.length)).order(ByteOrder.nativeOrder());
        for (float v : values) b.putShort(Float16.fromFloat(v));
        return b.flip();
    }

    /** An output's values as float: float32 as they are, FLOAT16 (a half-precision model's output) widened. */
    private static float[] floats(OnnxTensor out) {
        if (out.getInfo().type == OnnxJavaType.FLOAT16) {
            ByteBuffer b = out.getByteBuffer().order(ByteOrder.nativeOrder());
            float[] data = new float[b.remaining() / 2];
            for (int i = 0; i < data.length; i++) data[i] = Float16.toFloat(b.getShort());
            return data;
        }
        FloatBuffer values = out.getFloatBuffer();
        float[] data = new float[values.remaining()];
        values.get(data);
        return data;
    }

    private static FloatBuffer direct(int floats) {
        return ByteBuffer.allocateDirect(Math.max(4, 4 * floats))
                .order(ByteOrder.nativeOrder())
                .asFloatBuffer();
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public void close() {
        if (fallback != null) fallback.close();
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        }
    }
}
