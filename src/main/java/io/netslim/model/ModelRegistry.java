package io.netslim.model;

import io.netslim.config.ConfigException;

import java.util.Map;
import java.util.TreeMap;

/** Model builders by name: add a family by registering its builder here; "zoo:Name" builds DL4J zoo models. */
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

    /** Every registered family by name, then DL4J's zoo: what {@code inspect --list} prints. */
    public static synchronized Map<String, String> descriptions() {
        Map<String, String> all = new java.util.LinkedHashMap<>();
        BUILDERS.forEach((name, b) -> all.put(name, b.description()));
        all.put(ZooModels.PREFIX + "<Name>", ZooModels.named(ZooModels.PREFIX + ZooModels.NAMES.get(0)).description());
        return all;
    }

    /** The builder for {@code arch}, checked against {@code depth}. */
    public static synchronized ModelBuilder get(String arch, int depth) {
        if (arch.startsWith(ZooModels.PREFIX)) {
            return ZooModels.named(arch);
        }
        ModelBuilder builder = BUILDERS.get(arch);
        if (builder == null) {
            throw new ConfigException("model.arch = '" + arch + "': expected one of " + BUILDERS.keySet()
                    + " or zoo:<Name> for a model of DL4J's zoo");
        }
        builder.checkDepth(depth).ifPresent(why -> {
            throw new ConfigException("model.depth = " + depth + ": " + why);
        });
        return builder;
    }
}
