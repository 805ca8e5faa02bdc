package io.netslim.cpu;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.ActivationLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's activation layer, passing data through both ways when the batch norm feeding it already applied its
 * ReLU ({@link FastActivation#isInputFused}).
 *
 * <p>Why: for training, DL4J M2.1 copies a ReLU layer's input before applying ReLU in place, and again in
 * backprop before libnd4j's relu_bp: two extra passes over each activation. Fused into the batch norm's own
 * passes, the ReLU costs nothing extra (measured in docs/performance.md). Unfused activations take
 * DL4J's own path.
 */
public class FastActivationLayer extends ActivationLayer {
    public FastActivationLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr mgr) {
        if (!inputFused()) {
            return super.activate(training, mgr);
        }
        assertInputSet(false);
        return mgr.leverageTo(ArrayType.ACTIVATIONS, input);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr mgr) {
        if (!inputFused()) {
            return super.backpropGradient(epsilon, mgr);
        }
        return new Pair<>(new DefaultGradient(), mgr.leverageTo(ArrayType.ACTIVATION_GRAD, epsilon));
    }

    private boolean inputFused() {
        return layerConf() instanceof FastActivation f && f.isInputFused();
    }
}
