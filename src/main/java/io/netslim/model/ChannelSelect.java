package io.netslim.model;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.BaseGraphVertex;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** The runtime side of {@link ChannelSelectVertex}: copies the kept channels forward, scatters gradients back. */
public final class ChannelSelect extends BaseGraphVertex {
    private final int[] channels;
    private long[] inputShape;

    ChannelSelect(ComputationGraph graph, String name, int index, int[] channels, DataType dataType) {
        super(graph, name, index, null, null, dataType);
        this.channels = channels;
    }

    @Override
    public boolean hasLayer() {
        return false;
    }

    @Override
    public Layer getLayer() {
        return null;
    }

    @Override
    public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
        INDArray in = inputs[0];
        inputShape = in.shape().clone();
        long[] shape = in.shape().clone();
        shape[1] = channels.length;
        INDArray out = workspaceMgr.create(ArrayType.ACTIVATIONS, in.dataType(), shape, 'c');
        for (int k = 0; k < channels.length; k++) {
            channel(out, k).assign(channel(in, channels[k]));
        }
        return out;
    }

    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
        INDArray grad = workspaceMgr.create(ArrayType.ACTIVATION_GRAD, epsilon.dataType(), inputShape, 'c');
        grad.assign(0);
        for (int k = 0; k < channels.length; k++) {
            channel(grad, channels[k]).assign(channel(epsilon, k));
        }
        return new Pair<>(null, new INDArray[] {grad});
    }

    private static INDArray channel(INDArray a, int c) {
        INDArrayIndex[] idx = new INDArrayIndex[a.rank()];
        idx[0] = NDArrayIndex.all();
        idx[1] = NDArrayIndex.point(c);
        for (int i = 2; i < idx.length; i++) {
            idx[i] = NDArrayIndex.all();
        }
        return a.get(idx);
    }

    @Override
    public void setBackpropGradientsViewArray(INDArray backpropGradientsViewArray) {
        if (backpropGradientsViewArray != null) {
            throw new IllegalStateException("channel selection has no parameters");
        }
    }

    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArrays(INDArray[] maskArrays, MaskState currentMaskState,
                                                           int minibatchSize) {
        return maskArrays == null || maskArrays.length == 0 ? null : new Pair<>(maskArrays[0], currentMaskState);
    }

    @Override
    public String toString() {
        return "ChannelSelect(" + getVertexName() + ", " + channels.length + " channels)";
    }
}
