package io.netslim.cpu;

import org.bytedeco.dnnl.convolution_backward_data;
import org.bytedeco.dnnl.convolution_backward_weights;
import org.bytedeco.dnnl.convolution_forward;
import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.primitive;
import org.bytedeco.dnnl.primitive_desc;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.stream;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Function;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.algorithm;
import static org.bytedeco.dnnl.global.dnnl.prop_kind;

/**
 * A bias-free 2-D float convolution computed by oneDNN through javacpp, forward and both backward passes, on
 * activations stored either as NCHW or channels-last (NHWC values in an array of NCHW shape, see
 * {@link ChannelsLast}).
 *
 * <p>Why: libnd4j's conv2d asks oneDNN for its preferred layout and reorders every activation into and out of it
 * on every call (about a quarter of a ResNet-20 training step). Here the primitives are created for the layout the
 * data already has, so a channels-last network runs its convolutions without moving any activation; only the
 * small weight tensors are reordered. Where oneDNN has no optimised kernel for that layout it is left to pick
 * its own, and the data is reordered as libnd4j would.
 */
final class DnnlConvolution {
    private static final Logger LOG = LoggerFactory.getLogger(DnnlConvolution.class);
    private static final int MAX_PLANS = 4;
    private static final ThreadLocal<stream> STREAM = ThreadLocal.withInitial(() -> new stream(Engine.CPU));

    private final long[] kernel;
    private final long[] strides;
    private final long[] padding;
    private final boolean same;
    private final boolean inChannelsLast;
    private final boolean outChannelsLast;
    /** Plans of the input shapes seen, newest first (a layer sees one or two: the minibatch and the last one). */
    private final Deque<Plan> plans = new ArrayDeque<>();

    /** The engine, created on first use (loading oneDNN's natives). */
    private static final class Engine {
        static final engine CPU = new engine(engine.kind.cpu, 0);
    }

    /**
     * @param kernel, strides, padding (height, width) as configured; dilation 1
     * @param same            DL4J's 'same' mode: output size ceil(in / stride), padding derived as DL4J does
     * @param inChannelsLast  the input (and its gradient) holds NHWC values
     * @param outChannelsLast the output (and its gradient) holds NHWC values
     */
    DnnlConvolution(int[] kernel, int[] strides, int[] padding, boolean same, boolean inChannelsLast,
                    boolean outChannelsLast) {
        this.kernel = longs(kernel);
        this.strides = longs(strides);
        this.padding = longs(padding);
        this.same = same;
        this.inChannelsLast = inChannelsLast;
        this.outChannelsLast = outChannelsLast;
    }

    /** The output shape (NCHW dimensions) for input shape {@code x} and weights shape {@code w}. */
    long[] outputShape(long[] x, long[] w) {
        return new long[]{x[0], w[0], outSize(x[2], 0), outSize(x[3], 1)};
    }

    private long outSize(long in, int axis) {
        return same ? (in + strides[axis] - 1) / strides[axis]
                : (in + 2 * padding[axis] - kernel[axis]) / strides[axis] + 1;
    }

    /** Top/left padding: DL4J's for 'same' mode (half the total, rounded down), else the configured one. */
    private long padLeft(long in, int axis) {
        return same ? Math.max(0, ((outSize(in, axis) - 1) * strides[axis] + kernel[axis] - in) / 2) : padding[axis];
    }

    /** Bottom/right padding: whatever makes oneDNN's output size DL4J's (never negative). */
    private long padRight(long in, int axis) {
        return Math.max(0, (outSize(in, axis) - 1) * strides[axis] + kernel[axis] - in - padLeft(in, axis));
    }

    /** True when ND4J runs on the CPU and oneDNN's javacpp natives load. */
    static boolean available() {
        return Holder.AVAILABLE;
    }

    private static final class Holder {
        static final boolean AVAILABLE = probe();

        private static boolean probe() {
            if (!Nd4j.getEnvironment().isCPU()) {
                return false;
            }
            try {
                return Engine.CPU != null;
            } catch (Throwable t) {
                LOG.warn("oneDNN (org.bytedeco:dnnl) does not load; convolutions use libnd4j's conv2d: {}", t.toString());
                return false;
            }
        }
    }

    /** y = conv(x, w) into {@code y}, a dense float array of the output's shape. */
    void forward(INDArray x, INDArray w, INDArray y) {
        Plan p = plan(x, w);
        p.src.bind(x);
        p.weights.bind(ChannelsLastArrays.dense(w));
        p.dst.bind(y);
        stream s = STREAM.get();
        p.src.toPrimitive(s);
        p.weights.toPrimitive(s);
        p.fwd.execute(s, p.fwdArgs);
        p.dst.fromPrimitive(s);
        s._wait();
    }

    /**
     * The input gradient into {@code dx} (dense, the input's shape) and the weight gradient into {@code dw}
     * (any float array of the weights' shape), from the output gradient {@code dy}.
     */
    void backward(INDArray x, INDArray w, INDArray dy, INDArray dx, INDArray dw) {
        Plan p = plan(x, w);
        p.ensureBackward();
        INDArray dwDense = ChannelsLastArrays.isDense(dw) ? dw
                : Nd4j.createUninitialized(DataType.FLOAT, dw.shape(), 'c');
        p.src.bind(x);
        p.dataWeights.bind(ChannelsLastArrays.dense(w));
        p.diffDst.bind(ChannelsLastArrays.dense(dy));
        p.diffSrc.bind(dx);
        p.diffWeights.bind(dwDense);
        stream s = STREAM.get();
        p.dataWeights.toPrimitive(s);
        p.diffDst.toPrimitive(s);
        p.bwdData.execute(s, p.bwdDataArgs);
        p.diffSrc.fromPrimitive(s);
        p.srcForWeights.toPrimitive(s);
        p.diffDstForWeights.toPrimitive(s);
        p.bwdWeights.execute(s, p.bwdWeightsArgs);
        p.diffWeights.fromPrimitive(s);
        s._wait();
        if (dwDense != dw) {
            dw.assign(dwDense);
        }
    }

    /** The plan of {@code x}'s shape ({@code w}'s is the layer's own), made on first use. */
    private Plan plan(INDArray x, INDArray w) {
        for (Plan p : plans) {
            if (Arrays.equals(p.srcDims, x.shape())) {
                return p;
            }
        }
        Plan p = new Plan(x.shape(), w.shape());
        plans.addFirst(p);
        if (plans.size() > MAX_PLANS) {
            plans.removeLast();
        }
        return p;
    }

    /** The primitives and memories of one input shape. */
    private final class Plan {
        final long[] srcDims;
        final long[] dstDims;
        final long[] wDims;
        final long[] padLeft;
        final long[] padRight;
        final convolution_forward.primitive_desc fwdPd;
        final primitive fwd;
        final Operand src;
        final Operand weights;
        final Operand dst;
        final org.bytedeco.dnnl.IntMemoryMap fwdArgs = new org.bytedeco.dnnl.IntMemoryMap();
        primitive bwdData;
        primitive bwdWeights;
        Operand dataWeights;
        Operand diffDst;
        Operand diffDstForWeights;
        Operand diffSrc;
        Operand srcForWeights;
        Operand diffWeights;
        org.bytedeco.dnnl.IntMemoryMap bwdDataArgs;
        org.bytedeco.dnnl.IntMemoryMap bwdWeightsArgs;

        Plan(long[] xShape, long[] wShape) {
            srcDims = xShape.clone();
            wDims = wShape.clone();
            dstDims = outputShape(xShape, wShape);
            padLeft = new long[]{padLeft(xShape[2], 0), padLeft(xShape[3], 1)};
            padRight = new long[]{padRight(xShape[2], 0), padRight(xShape[3], 1)};
            fwdPd = pick("forward", exact -> new convolution_forward.primitive_desc(new convolution_forward.desc(
                    prop_kind.forward_training, algorithm.convolution_direct, srcDesc(exact), weightsDesc(),
                    dstDesc(exact), strides, padLeft, padRight), Engine.CPU));
            fwd = new convolution_forward(fwdPd);
            src = new Operand(userDesc(srcDims, inChannelsLast), fwdPd.src_desc());
            weights = new Operand(desc(wDims, memory.format_tag.oihw), fwdPd.weights_desc());
            dst = new Operand(userDesc(dstDims, outChannelsLast), fwdPd.dst_desc());
            fwdArgs.put(DNNL_ARG_SRC, src.primitiveSide());
            fwdArgs.put(DNNL_ARG_WEIGHTS, weights.primitiveSide());
            fwdArgs.put(DNNL_ARG_DST, dst.primitiveSide());
        }

        void ensureBackward() {
            if (bwdData != null) {
                return;
            }
            convolution_backward_data.primitive_desc dataPd = pick("backward-data",
                    exact -> new convolution_backward_data.primitive_desc(new convolution_backward_data.desc(
                            algorithm.convolution_direct, srcDesc(exact), weightsDesc(), dstDesc(exact), strides,
                            padLeft, padRight), Engine.CPU, fwdPd));
            convolution_backward_weights.primitive_desc weightsPd = pick("backward-weights",
                    exact -> new convolution_backward_weights.primitive_desc(new convolution_backward_weights.desc(
                            algorithm.convolution_direct, srcDesc(exact), weightsDesc(), dstDesc(exact), strides,
                            padLeft, padRight), Engine.CPU, fwdPd));
            bwdData = new convolution_backward_data(dataPd);
            bwdWeights = new convolution_backward_weights(weightsPd);
            dataWeights = new Operand(desc(wDims, memory.format_tag.oihw), dataPd.weights_desc());
            diffDst = new Operand(userDesc(dstDims, outChannelsLast), dataPd.diff_dst_desc());
            diffSrc = new Operand(userDesc(srcDims, inChannelsLast), dataPd.diff_src_desc());
            srcForWeights = src.sharingUser(weightsPd.src_desc());
            diffDstForWeights = diffDst.sharingUser(weightsPd.diff_dst_desc());
            diffWeights = new Operand(desc(wDims, memory.format_tag.oihw), weightsPd.diff_weights_desc());
            bwdDataArgs = new org.bytedeco.dnnl.IntMemoryMap();
            bwdDataArgs.put(DNNL_ARG_DIFF_DST, diffDst.primitiveSide());
            bwdDataArgs.put(DNNL_ARG_WEIGHTS, dataWeights.primitiveSide());
            bwdDataArgs.put(DNNL_ARG_DIFF_SRC, diffSrc.primitiveSide());
            bwdWeightsArgs = new org.bytedeco.dnnl.IntMemoryMap();
            bwdWeightsArgs.put(DNNL_ARG_SRC, srcForWeights.primitiveSide());
            bwdWeightsArgs.put(DNNL_ARG_DIFF_DST, diffDstForWeights.primitiveSide());
            bwdWeightsArgs.put(DNNL_ARG_DIFF_WEIGHTS, diffWeights.primitiveSide());
        }

        /** The input's description: in the data's own layout ({@code exact}), or whichever oneDNN prefers. */
        private memory.desc srcDesc(boolean exact) {
            return desc(srcDims, exact ? layout(inChannelsLast, srcDims) : memory.format_tag.any);
        }

        private memory.desc dstDesc(boolean exact) {
            return desc(dstDims, exact ? layout(outChannelsLast, dstDims) : memory.format_tag.any);
        }

        /** Weights in whichever layout oneDNN prefers (reordered from DL4J's OIHW on every call: they are small). */
        private memory.desc weightsDesc() {
            return desc(wDims, memory.format_tag.any);
        }
    }

    /**
     * The primitive for the data's own layout, unless oneDNN has only its reference kernel for it: then the one
     * oneDNN prefers, with reorders.
     */
    private static <T extends primitive_desc> T pick(String what, Function<Boolean, T> create) {
        T pd = create.apply(true);
        String impl = pd.impl_info_str().getString();
        if (!impl.startsWith("ref")) {
            return pd;
        }
        T other = create.apply(false);
        LOG.debug("oneDNN has only '{}' for the {} convolution in this layout; using '{}' with reorders", impl, what,
                other.impl_info_str().getString());
        return other;
    }

    /** A user array's memory and, when the primitive wants another layout, a memory of that layout and reorders. */
    private static final class Operand {
        final memory user;
        final memory prim;
        private org.bytedeco.dnnl.reorder in;
        private org.bytedeco.dnnl.reorder out;

        /** {@code user} unbound: its handle is set by {@link #bind} before every execution. */
        Operand(memory.desc userDesc, memory.desc primDesc) {
            this(new memory(userDesc, Engine.CPU, new RawPointer(0)), userDesc, primDesc);
        }

        private Operand(memory user, memory.desc userDesc, memory.desc primDesc) {
            this.user = user;
            this.prim = userDesc.equals(primDesc) ? null : new memory(primDesc, Engine.CPU);
        }

        /** Another primitive's view of the same user array (bound through this one). */
        Operand sharingUser(memory.desc primDesc) {
            return new Operand(user, user.get_desc(), primDesc);
        }

        void bind(INDArray a) {
            user.set_data_handle(new RawPointer(ChannelsLastArrays.address(a)));
        }

        memory primitiveSide() {
            return prim != null ? prim : user;
        }

        void toPrimitive(stream s) {
            if (prim != null) {
                if (in == null) {
                    in = new org.bytedeco.dnnl.reorder(user, prim);
                }
                in.execute(s, user, prim);
            }
        }

        void fromPrimitive(stream s) {
            if (prim != null) {
                if (out == null) {
                    out = new org.bytedeco.dnnl.reorder(prim, user);
                }
                out.execute(s, prim, user);
            }
        }
    }

    /** A pointer to an absolute address (javacpp would add a typed pointer's position to a void* in bytes). */
    private static final class RawPointer extends Pointer {
        RawPointer(long address) {
            this.address = address;
        }
    }


    private static memory.desc userDesc(long[] dims, boolean channelsLast) {
        return desc(dims, layout(channelsLast, dims));
    }

    /** NHWC or NCHW; with one channel the two are the same bytes, and NHWC is what the convolutions take. */
    private static memory.format_tag layout(boolean channelsLast, long[] dims) {
        return channelsLast || dims[1] == 1 ? memory.format_tag.nhwc : memory.format_tag.nchw;
    }

    private static memory.desc desc(long[] dims, memory.format_tag tag) {
        return new memory.desc(new LongPointer(dims), memory.data_type.f32, tag);
    }


    private static long[] longs(int[] v) {
        return new long[]{v[0], v[1]};
    }
}
