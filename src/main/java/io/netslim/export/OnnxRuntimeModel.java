package io.netslim.export;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.FloatBuffer;
import java.util.Map;

/**
 * An exported model loaded into ONNX Runtime (CPU, all graph optimisations, idle threads sleep), run on ND4J
 * arrays: how netslim checks an export against DL4J and times it where it is served.
 */
public final class OnnxRuntimeModel implements AutoCloseable {
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;

    /** Loads {@code model} (ONNX bytes) with {@code threads} intra-op threads. */
    public OnnxRuntimeModel(byte[] model, int threads) {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.setIntraOpNumThreads(threads);
            options.setInterOpNumThreads(1);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            // Idle intra-op threads sleep instead of spin-waiting, as OMP_WAIT_POLICY=PASSIVE makes DL4J's: a
            // spinning session steals the cores of the next model timed in alternation (and of a co-located JVM).
            options.addConfigEntry("session.intra_op.allow_spinning", "0");
            session = env.createSession(model, options);
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime cannot load the model: " + e.getMessage(), e);
        }
    }

    /** Loads {@code model} with as many intra-op threads as this JVM has processors (as ND4J uses). */
    public OnnxRuntimeModel(byte[] model) {
        this(model, Runtime.getRuntime().availableProcessors());
    }

    /** The model's output for a float batch {@code x} [batch, C, H, W]. */
    public INDArray output(INDArray x) {
        try (Pass pass = pass(x)) {
            return pass.output();
        }
    }

    /** A forward pass over {@code x}, ready to be run repeatedly (the input tensor is built once). */
    public Pass pass(INDArray x) {
        INDArray in = x.castTo(DataType.FLOAT).dup('c');
        try {
            return new Pass(OnnxTensor.createTensor(env, FloatBuffer.wrap(in.data().asFloat()), in.shape()));
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime: " + e.getMessage(), e);
        }
    }

    /** One input batch bound to the session; {@link #run} is what latency figures time. */
    public final class Pass implements Runnable, AutoCloseable {
        private final OnnxTensor input;

        private Pass(OnnxTensor input) {
            this.input = input;
        }

        @Override
        public void run() {
            try (OrtSession.Result ignored = session.run(Map.of(OnnxExporter.INPUT, input))) {
                // the output is produced and released, as a server does per request
            } catch (OrtException e) {
                throw new IllegalStateException("ONNX Runtime: " + e.getMessage(), e);
            }
        }

        INDArray output() {
            try (OrtSession.Result r = session.run(Map.of(OnnxExporter.INPUT, input))) {
                OnnxTensor out = (OnnxTensor) r.get(0);
                FloatBuffer buf = out.getFloatBuffer();
                float[] values = new float[buf.remaining()];
                buf.get(values);
                return Nd4j.create(values, out.getInfo().getShape(), 'c');
            } catch (OrtException e) {
                throw new IllegalStateException("ONNX Runtime: " + e.getMessage(), e);
            }
        }

        @Override
        public void close() {
            input.close();
        }
    }
}
