package io.netslim.model;

import io.netslim.config.ConfigException;

import java.util.Map;
import java.util.TreeMap;

/** Model builders by name: add a family by registering its builder here. */
public final class ModelRegistry {
    private static final Map<String, ModelBuilder> BUILDERS = new TreeMap<>();

    static {
        register(new PreResNet());
        register(new PreResNet(PreResNet.Blocks.BASIC));
        register(new PreResNet(PreResNet.Blocks.BOTTLENECK));
        register(new Vgg());
        register(new DenseNet());
        register(new ResNet());
        register(new VggBn());
    }

    private ModelRegistry() {
    }

    public static synchronized void register(ModelBuilder builder) {
        BUILDERS.put(builder.name(), builder);
    }

    /** The builder for {@code arch}, checked against {@code depth}. */
    public static synchronized ModelBuilder get(String arch, int depth) {
        ModelBuilder builder = BUILDERS.get(arch);
        if (builder == null) {
            throw new ConfigException("model.arch = '" + arch + "': expected one of " + BUILDERS.keySet());
        }
        builder.checkDepth(depth).ifPresent(why -> {
            throw new ConfigException("model.depth = " + depth + ": " + why);
        });
        return builder;
    }
}
