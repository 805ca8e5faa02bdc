package io.netslim.model;

import io.netslim.testing.TestNets;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;

import java.io.File;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Plain momentum steps as PyTorch's SGD (momentum, no dampening, not Nesterov), and survives DL4J's JSON and zips. */
class MomentumTest {
    @Test
    void stepsAsPyTorchsSgdWithMomentum() {
        Momentum config = new Momentum(0.1, 0.9);
        INDArray state = Nd4j.zeros(DataType.DOUBLE, 1, 3);
        GradientUpdater<?> updater = config.instantiate(state, true);
        double[] w = {1, -2, 0.5};
        double[] v = new double[3];
        double[][] grads = {{0.3, -0.1, 0.2}, {0.1, 0.4, -0.5}, {-0.2, 0.0, 0.7}};
        for (int step = 0; step < grads.length; step++) {
            INDArray g = Nd4j.createFromArray(grads[step]).reshape(1, 3);
            updater.applyUpdater(g, step, 0);
            for (int i = 0; i < 3; i++) {
                v[i] = 0.9 * v[i] + grads[step][i];                 // torch.optim.SGD, momentum 0.9
                assertEquals(0.1 * v[i], g.getDouble(0, i), 1e-12, "step " + step + " param " + i);
                w[i] -= g.getDouble(0, i);
            }
        }
        // Nesterov's, from the same gradients, ends elsewhere
        GradientUpdater<?> nesterov = new Nesterovs(0.1, 0.9).instantiate(Nd4j.zeros(DataType.DOUBLE, 1, 3), true);
        double[] wn = {1, -2, 0.5};
        for (double[] grad : grads) {
            INDArray g = Nd4j.createFromArray(grad).reshape(1, 3);
            nesterov.applyUpdater(g, 0, 0);
            for (int i = 0; i < 3; i++) {
                wn[i] -= g.getDouble(0, i);
            }
        }
        assertEquals(true, Math.abs(wn[0] - w[0]) > 1e-3, "plain and Nesterov momentum gave the same weights");
    }

    @Test
    void survivesTheConfigurationJsonAndAModelZip(@TempDir Path tmp) throws Exception {
        ComputationGraph g = TestNets.preResNet(8, 12, 2);
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(g.getConfiguration().toJson());
        assertEquals(g.getConfiguration(), back);
        File zip = tmp.resolve("m.zip").toFile();
        ModelSerializer.writeModel(g, zip, true);
        ComputationGraph read = ModelSerializer.restoreComputationGraph(zip, true);
        assertEquals(Momentum.class, read.getLayer("stem").conf().getLayer() instanceof
                org.deeplearning4j.nn.conf.layers.BaseLayer b ? b.getIUpdater().getClass() : null);
        assertArrayEquals(g.getUpdater().getStateViewArray().toFloatVector(),
                read.getUpdater().getStateViewArray().toFloatVector());
    }
}
