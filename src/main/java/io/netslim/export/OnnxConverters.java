package io.netslim.export;

import io.netslim.model.ChannelSelectVertex;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.L2NormalizeVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.ScaleVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.CenterLossOutputLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.LocalResponseNormalization;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SeparableConvolution2D;
import org.deeplearning4j.nn.conf.layers.SpaceToDepthLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.conf.layers.objdetect.Yolo2OutputLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * The one place that says which DL4J configuration classes the exporter converts, and with what. Lookup is by
 * exact class: a subclass (DL4J's own Deconvolution2D extends ConvolutionLayer) may compute something else, so
 * it is refused until it has a converter of its own.
 */
public final class OnnxConverters {
    private static final Map<Class<?>, VertexConverter> CONVERTERS = new LinkedHashMap<>();

    static {
        register(ConvolutionLayer.class, new ConvolutionConverter());
        register(BatchNormalization.class, new BatchNormConverter());
        register(ActivationLayer.class, (v, g) -> Activations.apply(g, v, ((ActivationLayer) v.conf()).getActivationFn(),
                v.input(0)));
        register(SubsamplingLayer.class, new PoolingConverter());
        register(GlobalPoolingLayer.class, new GlobalPoolingConverter());
        register(DenseLayer.class, new DenseConverter());
        register(OutputLayer.class, new DenseConverter());
        register(CenterLossOutputLayer.class, new DenseConverter()); // its class centres only train
        register(LossLayer.class, new LossLayerConverter());
        register(SeparableConvolution2D.class, new SeparableConvolutionConverter());
        register(ZeroPaddingLayer.class, new ZeroPaddingConverter());
        register(SpaceToDepthLayer.class, new SpaceToDepthConverter());
        register(LocalResponseNormalization.class, new LocalResponseNormalizationConverter());
        register(Yolo2OutputLayer.class, new Yolo2OutputConverter());
        register(DropoutLayer.class, (v, g) -> v.input(0)); // identity at inference
        register(ElementWiseVertex.class, new ElementWiseConverter());
        register(MergeVertex.class, new MergeConverter());
        register(ChannelSelectVertex.class, new ChannelSelectConverter());
        register(ScaleVertex.class, new ScaleConverter());
        register(L2NormalizeVertex.class, new L2NormalizeConverter());
        register(CnnToFeedForwardPreProcessor.class, new FlattenConverter());
    }

    private OnnxConverters() {
    }

    public static synchronized void register(Class<?> type, VertexConverter converter) {
        CONVERTERS.put(type, converter);
    }

    /** The converter for {@code v}'s configuration; refused, naming the vertex, when there is none. */
    static synchronized VertexConverter of(Vertex v) {
        VertexConverter c = CONVERTERS.get(v.conf().getClass());
        if (c == null) {
            TreeSet<String> known = new TreeSet<>();
            CONVERTERS.keySet().forEach(k -> known.add(k.getSimpleName()));
            throw v.unsupported("cannot be exported to ONNX: no converter for " + v.conf().getClass().getName()
                    + " (the exporter converts " + String.join(", ", known) + ")");
        }
        return c;
    }
}
