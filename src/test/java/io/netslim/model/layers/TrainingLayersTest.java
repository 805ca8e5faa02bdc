package io.netslim.model.layers;

import io.netslim.TestNets;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNConvHelper;
import org.junit.jupiter.api.Test;
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

        DataSet batch = batch(16, 5);
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
            assertClose(e.getKey(), e.getValue(), actual.get(e.getKey()), 2e-4);
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
            DataSet batch = batch(16, 10 + i);
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
        twin.fit(batch(16, 12));
        assertNotEquals(before, stock.params());
        assertEquals(twin.params(), stock.params());

        ComputationGraphConfiguration fastConf = twin.getConfiguration();
        assertTrue(fastConf.toJson().contains(FastConvolution.class.getName()));
        assertTrue(fastConf.toJson().contains(FastBatchNormalization.class.getName()));
        assertTrue(fastConf.toJson().contains(FastActivation.class.getName()));
        // the configuration survives JSON, as Spark ships it to the executors
        ComputationGraphConfiguration shipped = ComputationGraphConfiguration.fromJson(fastConf.toJson());
        assertEquals(fastConf.toJson(), shipped.toJson());
        assertFalse(TrainingLayers.strip(fastConf).toJson().contains("io.netslim"));
        ComputationGraphConfiguration roundTrip = TrainingLayers.strip(
                TrainingLayers.apply(ComputationGraphConfiguration.fromJson(stockJson)));
        assertEquals(withoutCachedOrder(stockJson), withoutCachedOrder(roundTrip.toJson()));
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

    private static DataSet batch(int n, long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray x = Nd4j.randn(DataType.FLOAT, n, 1, SIZE, SIZE);
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
