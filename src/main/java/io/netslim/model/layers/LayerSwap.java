package io.netslim.model.layers;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.Layer;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.function.UnaryOperator;

/** Replaces layer configurations by others of a related class, keeping every configured field. */
public final class LayerSwap {
    private LayerSwap() {
    }

    /** A copy of {@code conf} in which every layer is {@code swap}'s result for it (itself to keep it). */
    public static ComputationGraphConfiguration replace(ComputationGraphConfiguration conf, UnaryOperator<Layer> swap) {
        ComputationGraphConfiguration copy = conf.clone();
        for (GraphVertex v : copy.getVertices().values()) {
            if (v instanceof LayerVertex lv) {
                lv.getLayerConf().setLayer(swap.apply(lv.getLayerConf().getLayer()));
            }
        }
        return copy;
    }

    /**
     * {@code layer} as the stock layer it extends: a netslim subclass (training-time layers, the sparsity penalty)
     * becomes its nearest superclass outside netslim with every field kept, netslim's plain-momentum updater DL4J's
     * Nesterov one (so plain DL4J loads a saved model); any other layer stays as it is. Names
     * no netslim layer class, so that stripping loads none of them.
     */
    public static Layer stock(Layer layer) {
        Layer stock = stockLayer(layer);
        // netslim's own updater (plain momentum) as DL4J's nearest, on a copy: a saved model loads in plain DL4J
        if (stock instanceof org.deeplearning4j.nn.conf.layers.BaseLayer base
                && base.getIUpdater() instanceof io.netslim.model.Momentum m) {
            org.deeplearning4j.nn.conf.layers.BaseLayer copy = stock == layer
                    ? (org.deeplearning4j.nn.conf.layers.BaseLayer) layer.clone() : base;
            copy.setIUpdater(m.stock());
            return copy;
        }
        return stock;
    }

    private static Layer stockLayer(Layer layer) {
        if (!isNetslim(layer.getClass())) {
            return layer;
        }
        Class<? extends Layer> top = stockClass(layer.getClass());
        Layer stock;
        try {
            stock = top.getConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot create a stock " + top.getSimpleName() + " for layer "
                    + layer.getLayerName(), e);
        }
        copyFields(layer, stock, top);
        if (stock instanceof BatchNormalization bn) {
            // DL4J's default (a training-time batch norm read back from JSON may carry "false")
            bn.setCudnnAllowFallback(true);
        }
        return stock;
    }

    /** The nearest class of {@code type} and its superclasses that is not one of netslim's. */
    public static Class<? extends Layer> stockClass(Class<? extends Layer> type) {
        Class<?> c = type;
        while (isNetslim(c)) {
            c = c.getSuperclass();
        }
        return c.asSubclass(Layer.class);
    }

    private static boolean isNetslim(Class<?> c) {
        return c.getName().startsWith("io.netslim.");
    }

    /** {@code to} with every field that {@code top} and its superclasses declare copied from {@code from}. */
    public static <T extends Layer> T copyFields(Layer from, T to, Class<? extends Layer> top) {
        for (Class<?> c = top; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers())) {
                    continue;
                }
                try {
                    f.setAccessible(true);
                    f.set(to, f.get(from));
                } catch (IllegalAccessException ex) {
                    throw new IllegalStateException("cannot copy " + c.getSimpleName() + " field " + f.getName(), ex);
                }
            }
        }
        return to;
    }
}
