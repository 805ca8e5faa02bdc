package io.netslim.export;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;
import java.util.Map;

/**
 * One DL4J vertex as a converter sees it: its name, its configuration (a layer's, a vertex's or an input
 * preprocessor's), the ONNX tensors and DL4J input types it reads, its parameters, and how many vertices read
 * each of its inputs.
 *
 * @param readers for each input, the number of DL4J vertices reading it (1: this one alone), or -1 when it is
 *                not a vertex that may be changed (the network input)
 */
public record Vertex(String name, Object conf, List<String> inputs, List<InputType> inputTypes,
                     Map<String, INDArray> params, int[] readers) {
    /**
     * Appended to the ONNX name of a vertex whose DL4J name is one the exported graph uses itself ({@code output}:
     * ResNet50's output layer): its tensors must not clash with the graph's input, output or normalisation.
     */
    static final String RENAMED = "/vertex";

    /** The vertex's name in DL4J. */
    public String dl4jName() {
        return name.endsWith(RENAMED) ? name.substring(0, name.length() - RENAMED.length()) : name;
    }

    public String input(int i) {
        return inputs.get(i);
    }

    /** Parameter {@code key} as float values in row-major order (a copy). */
    public float[] floats(String key) {
        INDArray p = params.get(key);
        if (p == null) {
            throw unsupported("has no parameter '" + key + "'");
        }
        return p.castTo(DataType.FLOAT).dup('c').data().asFloat();
    }

    public long[] shape(String key) {
        return params.get(key).shape();
    }

    /** The input's spatial size {height, width}; refused unless the input is NCHW image data. */
    public long[] spatialInput(int i) {
        if (inputTypes.get(i) instanceof InputType.InputTypeConvolutional c && c.getFormat() == CNN2DFormat.NCHW) {
            return new long[] {c.getHeight(), c.getWidth()};
        }
        throw unsupported("reads " + inputTypes.get(i) + "; the exporter handles NCHW image input only");
    }

    /** Refuses a data format other than NCHW (the layout of the exported graph). */
    public void requireNchw(CNN2DFormat format) {
        if (format != null && format != CNN2DFormat.NCHW) {
            throw unsupported("uses data format " + format + "; the exporter handles NCHW only");
        }
    }

    /** An error naming this vertex and its type. */
    public UnsupportedModelException unsupported(String why) {
        return new UnsupportedModelException("vertex '" + dl4jName() + "' (" + conf.getClass().getSimpleName() + ") " + why);
    }
}
