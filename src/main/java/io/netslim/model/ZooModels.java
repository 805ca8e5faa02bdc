package io.netslim.model;

import io.netslim.config.ConfigException;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.zoo.ZooModel;

import java.lang.reflect.Method;
import java.util.List;
import java.util.Optional;

/**
 * {@code model.arch = zoo:<Name>}: the untrained network of DL4J's model zoo ({@code deeplearning4j-zoo},
 * {@code org.deeplearning4j.zoo.model.<Name>}) for the configured input shape and classes, with netslim's
 * training settings ({@link Retraining}). Nothing is downloaded. A zoo model that DL4J builds as a
 * MultiLayerNetwork becomes the equivalent chain-shaped ComputationGraph ({@link Chains}). {@code model.depth}
 * is not used.
 */
public final class ZooModels implements ModelBuilder {
    /** The prefix of {@code model.arch} that selects the zoo. */
    public static final String PREFIX = "zoo:";
    /** The image models of deeplearning4j-zoo 1.0.0-M2.1 (its text model, TextGenerationLSTM, is not one). */
    public static final List<String> NAMES = List.of("AlexNet", "Darknet19", "FaceNetNN4Small2", "InceptionResNetV1",
            "LeNet", "NASNet", "ResNet50", "SimpleCNN", "SqueezeNet", "TinyYOLO", "UNet", "VGG16", "VGG19", "Xception",
            "YOLO2");

    private final String model;

    private ZooModels(String model) {
        this.model = model;
    }

    /** The builder for {@code arch} = "zoo:Name", or a configuration error listing the zoo's image models. */
    public static ZooModels named(String arch) {
        String name = arch.substring(PREFIX.length());
        if (!NAMES.contains(name)) {
            throw new ConfigException("model.arch = '" + arch + "': expected zoo: followed by one of " + NAMES);
        }
        return new ZooModels(name);
    }

    @Override
    public String name() {
        return PREFIX + model;
    }

    @Override
    public String description() {
        return "a network of DL4J's zoo (model.depth ignored): zoo:" + String.join(", zoo:", NAMES);
    }

    @Override
    public Optional<String> checkDepth(int depth) {
        return Optional.empty();
    }

    @Override
    public ComputationGraphConfiguration build(ModelSpec spec, NeuralNetConfiguration.Builder defaults) {
        Model built = instantiate(spec);
        ComputationGraphConfiguration conf;
        if (built instanceof ComputationGraph graph) {
            conf = graph.getConfiguration().clone();
        } else if (built instanceof MultiLayerNetwork net) {
            MultiLayerConfiguration mlc = net.getLayerWiseConfigurations();
            conf = Chains.toGraph(mlc, spec);
        } else {
            throw new ConfigException("model.arch = '" + name() + "': DL4J builds a " + built.getClass().getSimpleName()
                    + ", not a network netslim can train");
        }
        return Retraining.apply(conf, defaults);
    }

    /** DL4J's zoo builder with the spec's classes and input shape, then its init(). */
    private Model instantiate(ModelSpec spec) {
        try {
            Class<?> type = Class.forName("org.deeplearning4j.zoo.model." + model);
            Object builder = type.getMethod("builder").invoke(null);
            Class<?> b = builder.getClass();
            b.getMethod("numClasses", int.class).invoke(builder, spec.classes());
            b.getMethod("inputShape", int[].class).invoke(builder, (Object) new int[] {
                    (int) spec.channels(), (int) spec.height(), (int) spec.width()});
            ZooModel<?> zoo = (ZooModel<?>) b.getMethod("build").invoke(builder);
            Method init = type.getMethod("init");
            return (Model) init.invoke(zoo);
        } catch (java.lang.reflect.InvocationTargetException e) {
            Throwable cause = e.getCause();
            throw new ConfigException("model.arch = '" + name() + "': DL4J cannot build it for input "
                    + spec.channels() + "x" + spec.height() + "x" + spec.width() + " and " + spec.classes()
                    + " classes (" + cause.getClass().getSimpleName() + ": " + cause.getMessage() + ")");
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("deeplearning4j-zoo has no usable builder for " + model, e);
        }
    }
}
