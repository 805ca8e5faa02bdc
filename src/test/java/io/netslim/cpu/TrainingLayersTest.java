package io.netslim.cpu;

import io.netslim.testing.TestNets;
import org.deeplearning4j.nn.api.Layer;
import io.netslim.prune.BnScaleImportance;
import io.netslim.prune.DependencyGraph;
import io.netslim.prune.GlobalThreshold;
import io.netslim.prune.NetworkSurgeon;
import io.netslim.prune.PrunePlan;
import io.netslim.train.TrainingNetworks;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNConvHelper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.lang.reflect.Field;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The training-time layers compute what DL4J's stock layers compute, and strip back to stock. */
class TrainingLayersTest {
    private static final int SIZE = 12;

    @Test
    void gradientsScoreAndActivationsMatchStockLayers() throws Exception {
        ComputationGraph stock = TestNets.preResNet(8, SIZE, 3);
        TestNets.randomiseBatchNorms(stock, 4);
        ComputationGraph fast = new ComputationGraph(TrainingLayers.apply(stock.getConfiguration()));
        fast.init(stock.params().dup(), false);
        assertUsesFastPaths(fast);
        assertMatchesStock(stock, fast, batch(16, 1, SIZE, 5), 2e-4);
    }

    /**
     * Other graph shapes: max pooling (VGG), concatenations and average pooling (DenseNet), odd channel counts
     * (a pruned ResNet) and channel selections; each keeps some activations channels-last and converts where
     * a reader needs NCHW.
     */
    @ParameterizedTest
    @ValueSource(strings = {"vgg", "densenet", "pruned", "selection"})
    void otherGraphsMatchStockLayers(String which) {
        ComputationGraph stock = switch (which) {
            case "vgg" -> TestNets.model("vgg", 11, new long[]{3, SIZE, SIZE}, 21);
            case "densenet" -> TestNets.model("densenet", 10, new long[]{1, SIZE, SIZE}, 22);
            default -> TestNets.preResNet(8, SIZE, 23);
        };
        TestNets.randomiseBatchNorms(stock, 24);
        if (!which.equals("vgg") && !which.equals("densenet")) {
            DependencyGraph deps = DependencyGraph.of(stock.getConfiguration(), which.equals("selection"));
            PrunePlan plan = GlobalThreshold.of(TestNets.config().prune(), 0.4)
                    .plan(stock, deps, new BnScaleImportance());
            stock = NetworkSurgeon.prune(stock, deps, plan);
        }
        ComputationGraph fast = new ComputationGraph(TrainingLayers.apply(stock.getConfiguration()));
        fast.init(stock.params().dup(), false);
        assertTrue(channelsLastLayers(fast.getConfiguration()) > 0, "no channels-last layer in " + which);
        if (which.equals("pruned")) {
            assertTrue(stock.getConfiguration().getVertices().values().stream()
                    .anyMatch(v -> v instanceof LayerVertex lv && lv.getLayerConf().getLayer()
                            instanceof org.deeplearning4j.nn.conf.layers.ConvolutionLayer c && c.getNOut() % 8 != 0),
                    "the pruned network has no odd channel count");
        }
        long inputChannels = which.equals("vgg") ? 3 : 1;
        // Max pooling sends each window's gradient to its largest value: where two values of a window are equal
        // to float rounding, the batch norms' different summation order can pick the other one. One such window
        // moves a layer's gradient by about 0.5%; a layout error moves it by its own size.
        assertMatchesStock(stock, fast, batch(16, inputChannels, SIZE, 25), which.equals("vgg") ? 3e-2 : 2e-4);
    }

    /** In a pre-activation ResNet everything but the input and the final batch norm's output is channels-last. */
    @Test
    void residualNetworkKeepsChannelsLastBetweenInputAndHead() {
        ComputationGraphConfiguration conf = TrainingLayers.apply(TestNets.preResNet(8, SIZE, 3).getConfiguration());
        for (Map.Entry<String, GraphVertex> e : conf.getVertices().entrySet()) {
            if (!(e.getValue() instanceof LayerVertex lv)) {
                continue;
            }
            String name = e.getKey();
            if (lv.getLayerConf().getLayer() instanceof FastConvolution c) {
                assertEquals(!name.equals("stem"), c.isInputChannelsLast(), name);
                assertTrue(c.isOutputChannelsLast(), name);
            } else if (lv.getLayerConf().getLayer() instanceof FastBatchNormalization b) {
                assertTrue(b.isInputChannelsLast(), name);
                assertEquals(!name.equals("final_bn"), b.isOutputChannelsLast(), name);
            }
        }
    }

    private static long channelsLastLayers(ComputationGraphConfiguration conf) {
        return conf.getVertices().values().stream()
                .filter(v -> v instanceof LayerVertex lv && (lv.getLayerConf().getLayer() instanceof FastConvolution c
                        && (c.isInputChannelsLast() || c.isOutputChannelsLast())
                        || lv.getLayerConf().getLayer() instanceof FastBatchNormalization b
                        && (b.isInputChannelsLast() || b.isOutputChannelsLast())))
                .count();
    }

    /** Score, every gradient (to {@code relTol}) and the inference output of {@code fast} are those of {@code stock}. */
    private static void assertMatchesStock(ComputationGraph stock, ComputationGraph fast, DataSet batch,
                                           double relTol) {
        stock.setInputs(batch.getFeatures());
        stock.setLabels(batch.getLabels());
        stock.computeGradientAndScore();
        fast.setInputs(batch.getFeatures());
        fast.setLabels(batch.getLabels());
        fast.computeGradientAndScore();

        assertEquals(stock.score(), fast.score(), 1e-5 * Math.abs(stock.score()));
        Map<String, INDArray> expected = stock.gradient().gradientForVariable();
        Map<String, INDArray> actual = fast.gradient().gradientForVariable();
        assertEquals(expected.keySet(), actual.keySet());
        for (Map.Entry<String, INDArray> e : expected.entrySet()) {
            assertClose(e.getKey(), e.getValue(), actual.get(e.getKey()), relTol);
        }
        // inference (running statistics) too
        assertClose("output", stock.outputSingle(false, batch.getFeatures()),
                fast.outputSingle(false, batch.getFeatures()), 1e-5);
    }

    @Test
    void trainingStepsMoveParametersAndRunningStatisticsAlike() {
        ComputationGraph stock = TestNets.preResNet(8, SIZE, 7);
        ComputationGraph fast = new ComputationGraph(TrainingLayers.apply(stock.getConfiguration()));
        fast.init(stock.params().dup(), false);
        for (int i = 0; i < 3; i++) {
            DataSet batch = batch(16, 1, SIZE, 10 + i);
            stock.fit(batch);
            fast.fit(batch);
        }
        INDArray before = TestNets.preResNet(8, SIZE, 7).params();
        assertNotEquals(0.0, stock.params().sub(before).norm2Number().doubleValue(), "training moved nothing");
        assertClose("params after 3 steps", stock.params(), fast.params(), 1e-3);
    }

    @Test
    void twinTrainsTheStockGraphInPlaceAndStripRestoresStockLayers() {
        ComputationGraph stock = TestNets.preResNet(8, SIZE, 11);
        INDArray before = stock.params().dup();
        String stockJson = stock.getConfiguration().toJson();
        ComputationGraph twin = TrainingLayers.twin(stock);
        twin.fit(batch(16, 1, SIZE, 12));
        assertNotEquals(before, stock.params());
        assertEquals(twin.params(), stock.params());

        ComputationGraphConfiguration fastConf = twin.getConfiguration();
        assertTrue(fastConf.toJson().contains(FastConvolution.class.getName()));
        assertTrue(fastConf.toJson().contains(FastBatchNormalization.class.getName()));
        assertTrue(fastConf.toJson().contains(FastActivation.class.getName()));
        // the configuration survives JSON, as Spark ships it to the executors
        ComputationGraphConfiguration shipped = ComputationGraphConfiguration.fromJson(fastConf.toJson());
        assertEquals(fastConf.toJson(), shipped.toJson());
        assertFalse(TrainingNetworks.stock(fastConf).toJson().contains("io.netslim"));
        ComputationGraphConfiguration roundTrip = TrainingNetworks.stock(
                TrainingLayers.apply(ComputationGraphConfiguration.fromJson(stockJson)));
        // strip also turns netslim's plain-momentum updater into DL4J's: apply then strip is strip alone
        String stripped = TrainingNetworks.stock(ComputationGraphConfiguration.fromJson(stockJson)).toJson();
        assertFalse(stripped.contains("io.netslim"));
        assertEquals(withoutCachedOrder(stripped), withoutCachedOrder(roundTrip.toJson()));
    }

    /** The JSON without DL4J's cached topological order, which a cloned configuration recomputes on use. */
    private static String withoutCachedOrder(String json) {
        return json.replaceAll("(?m)^\\s*\"topologicalOrder(Str)?\" : .*$", "");
    }

    private static void assertUsesFastPaths(ComputationGraph fast) throws Exception {
        Field bnHelper = org.deeplearning4j.nn.layers.normalization.BatchNormalization.class
                .getDeclaredField("helper");
        bnHelper.setAccessible(true);
        int convs = 0;
        int bns = 0;
        int relus = 0;
        for (Layer l : fast.getLayers()) {
            if (l instanceof ConvolutionLayer conv) {
                assertInstanceOf(FastConvolutionLayer.class, conv);
                Field h = ConvolutionLayer.class.getDeclaredField("helper");
                h.setAccessible(true);
                assertInstanceOf(MKLDNNConvHelper.class, h.get(conv), "oneDNN must serve " + conv.getConfig());
                convs++;
            } else if (l instanceof org.deeplearning4j.nn.layers.normalization.BatchNormalization) {
                assertInstanceOf(JavaBatchNormHelper.class, bnHelper.get(l));
                bns++;
            } else if (l instanceof org.deeplearning4j.nn.layers.ActivationLayer) {
                assertInstanceOf(FastActivationLayer.class, l);
                relus++;
            }
        }
        assertTrue(convs > 5 && bns > 5 && relus > 5, convs + " convolutions, " + bns + " batch norms, " + relus
                + " activations");
        // in a pre-activation ResNet every batch norm feeds one ReLU only: all are fused
        long fused = fast.getConfiguration().getVertices().values().stream()
                .filter(v -> v instanceof org.deeplearning4j.nn.conf.graph.LayerVertex lv
                        && lv.getLayerConf().getLayer() instanceof FastBatchNormalization f && f.isFusedRelu())
                .count();
        long passing = fast.getConfiguration().getVertices().values().stream()
                .filter(v -> v instanceof org.deeplearning4j.nn.conf.graph.LayerVertex lv
                        && lv.getLayerConf().getLayer() instanceof FastActivation f && f.isInputFused())
                .count();
        assertEquals(bns, fused);
        assertEquals(relus, passing);
    }

    private static DataSet batch(int n, long channels, int size, long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray x = Nd4j.randn(DataType.FLOAT, n, channels, size, size);
        INDArray y = Nd4j.zeros(DataType.FLOAT, n, 10);
        for (int i = 0; i < n; i++) {
            y.putScalar(i, (i * 7 + seed) % 10, 1);
        }
        return new DataSet(x, y);
    }

    private static void assertClose(String what, INDArray expected, INDArray actual, double relTol) {
        double scale = Math.max(expected.norm2Number().doubleValue(), 1e-8);
        double diff = expected.castTo(DataType.DOUBLE).sub(actual.castTo(DataType.DOUBLE)).norm2Number().doubleValue();
        assertTrue(diff <= relTol * scale, what + ": |expected - actual| = " + diff + " vs |expected| = " + scale);
    }
}
