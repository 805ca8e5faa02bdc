package io.netslim.pipeline;

import io.netslim.testing.TestNets;
import io.netslim.config.ConfigException;
import io.netslim.config.JobConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pipeline's check before training with {@code export.onnx = true}: zoo models that export pass, others are named. */
class ZooExportPreflightTest {
    @AfterEach
    void release() {
        System.gc();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"ResNet50,96,", "Darknet19,64,", "TinyYOLO,64,", "YOLO2,64,", "FaceNetNN4Small2,96,", "SimpleCNN,32,",
            "Xception,71,block1_conv1_bn", "InceptionResNetV1,160,stem-batch1"})
    void zooModelsThatExportAreNotRefused(String name, int size, String refusedVertex) {
        JobConfig cfg = TestNets.config("model.arch=\"zoo:" + name + "\"", "model.input-shape=\"3x" + size + "x" + size + "\"");
        long[] shape = cfg.model().inputShape();
        var start = Networks.initialised(cfg, shape);
        if (refusedVertex == null) {
            assertDoesNotThrow(() -> OnnxOutputs.checkExportable(start, shape), name);
        } else {
            ConfigException e = assertThrows(ConfigException.class, () -> OnnxOutputs.checkExportable(start, shape));
            assertTrue(e.getMessage().contains("export.onnx = true") && e.getMessage().contains("'" + refusedVertex + "'")
                    && e.getMessage().contains("export.onnx = false"), e.getMessage());
        }
    }
}
