package io.netslim.data;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * A dataset format sent to the executors once per job as a broadcast, not inside every task: a folder
 * dataset's file list can be tens of megabytes. Java-serialised (Spark's Kryo cannot write records) and
 * decoded once per executor JVM.
 */
final class SharedFormat implements Serializable {
    // Keyed by a random id, not the broadcast's: broadcast ids restart with every SparkContext, and in local
    // mode one JVM sees several contexts. The few newest are kept (a file list can be tens of megabytes).
    private static final Map<String, DatasetFormat> DECODED = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(8, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, DatasetFormat> eldest) {
                    return size() > 4;
                }
            });

    private final String key = java.util.UUID.randomUUID().toString();
    private final Broadcast<byte[]> bytes;

    private SharedFormat(Broadcast<byte[]> bytes) {
        this.bytes = bytes;
    }

    static SharedFormat of(JavaSparkContext sc, DatasetFormat format) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ObjectOutputStream o = new ObjectOutputStream(out)) {
            o.writeObject(format);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new SharedFormat(sc.broadcast(out.toByteArray()));
    }

    DatasetFormat get() {
        return DECODED.computeIfAbsent(key, id -> {
            try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.value()))) {
                return (DatasetFormat) in.readObject();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
        });
    }
}
