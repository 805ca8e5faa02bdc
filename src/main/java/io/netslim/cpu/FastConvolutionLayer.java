package io.netslim.cpu;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNConvHelper;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's convolution layer without its redundant forward pass in backprop, and on oneDNN directly where the
 * network keeps activations channels-last.
 *
 * <p>DL4J M2.1's {@code ConvolutionLayer.backpropGradient} always recomputes the layer's pre-activation output
 * to apply the activation's derivative, even for the identity activation, where the derivative is a no-op: a
 * second oneDNN forward convolution per layer and step (its cost: docs/performance.md). Our networks keep
 * activations in separate layers, so their convolutions are identity: for those (no bias, NCHW, no dropout or
 * weight noise, oneDNN helper active) this layer hands the incoming gradient straight to the oneDNN backward
 * op; anything else takes DL4J's own path. A layer whose input or output {@link ChannelsLast} made channels-last
 * computes forward and backward with {@link DnnlConvolution}, which moves no activation between layouts.
 */
public class FastConvolutionLayer extends ConvolutionLayer {
    private DnnlConvolution dnnl;

    public FastConvolutionLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    private FastConvolution fastConf() {
        return (FastConvolution) conf.getLayer();
    }

    private boolean channelsLast() {
        FastConvolution c = fastConf();
        return c.isInputChannelsLast() || c.isOutputChannelsLast();
    }

    private DnnlConvolution dnnl() {
        if (dnnl == null) {
            FastConvolution c = fastConf();
            if (dataType != DataType.FLOAT || !DnnlConvolution.available()) {
                throw new IllegalStateException("convolution " + c.getLayerName() + " has channels-last data, "
                        + "which needs float parameters and oneDNN on the CPU (got " + dataType + ")");
            }
            dnnl = new DnnlConvolution(c.getKernelSize(), c.getStride(), c.getPadding(),
                    convolutionMode == ConvolutionMode.Same, c.isInputChannelsLast(), c.isOutputChannelsLast());
        }
        return dnnl;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        if (!channelsLast()) {
            return super.activate(training, workspaceMgr);
        }
        assertInputSet(false);
        INDArray weights = getParamWithNoise(ConvolutionParamInitializer.WEIGHT_KEY, training, workspaceMgr);
        INDArray in = ChannelsLastArrays.dense(input);
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT,
                dnnl().outputShape(in.shape(), weights.shape()), 'c');
        dnnl().forward(in, weights, out);
        return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        if (channelsLast()) {
            return channelsLastBackprop(epsilon, workspaceMgr);
        }
        org.deeplearning4j.nn.conf.layers.ConvolutionLayer c = layerConf();
        boolean direct = helper instanceof MKLDNNConvHelper && helperCountFail == 0
                && c.getActivationFn() instanceof ActivationIdentity && !hasBias()
                && c.getIDropout() == null && c.getWeightNoise() == null
                && c.getCnn2dDataFormat() == CNN2DFormat.NCHW;
        if (!direct) {
            return super.backpropGradient(epsilon, workspaceMgr);
        }
        assertInputSet(true);
        INDArray weights = getParamWithNoise(ConvolutionParamInitializer.WEIGHT_KEY, true, workspaceMgr);
        INDArray in = input.castTo(dataType);
        INDArray eps = epsilon.castTo(dataType);
        // The helper derives 'same' padding itself; other modes use the configured padding.
        Pair<Gradient, INDArray> ret = helper.backpropGradient(in, weights, null, eps, c.getKernelSize(),
                c.getStride(), c.getPadding(), null, gradientViews.get(ConvolutionParamInitializer.WEIGHT_KEY),
                c.getActivationFn(), c.getCudnnAlgoMode(), c.getCudnnBwdFilterAlgo(), c.getCudnnBwdDataAlgo(),
                convolutionMode, c.getDilation(), CNN2DFormat.NCHW, workspaceMgr);
        return ret != null ? ret : super.backpropGradient(epsilon, workspaceMgr);
    }

    private Pair<Gradient, INDArray> channelsLastBackprop(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        INDArray weights = getParamWithNoise(ConvolutionParamInitializer.WEIGHT_KEY, true, workspaceMgr);
        INDArray in = ChannelsLastArrays.dense(input);
        INDArray dx = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, DataType.FLOAT, in.shape(), 'c');
        INDArray dw = gradientViews.get(ConvolutionParamInitializer.WEIGHT_KEY);
        dnnl().backward(in, weights, epsilon, dx, dw);
        Gradient g = new DefaultGradient();
        g.setGradientFor(ConvolutionParamInitializer.WEIGHT_KEY, dw, 'c');
        weightNoiseParams.clear();
        return new Pair<>(g, dx);
    }
}
