package io.netslim.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.Serializable;
import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * The content of a shards folder's {@code shards.json}, written last by {@code netslim prepare}: the record
 * shape, classes, shard size, the records in each shard of each split, where they were prepared from, and
 * the seed of the global random order the training records were written in ({@code train.order}; null for a
 * folder an earlier netslim prepared in the source's order).
 */
public record ShardsManifest(long[] shape, int classes, int shardSize, int[] trainShards, int[] testShards,
                             String source, long skippedRecords, Long trainShuffleSeed) implements Serializable {
    /** The file's name in the folder. */
    public static final String FILE = "shards.json";
    static final String FORMAT = "netslim-shards";
    static final int VERSION = 1;
    /** {@code order} of a split whose records were written in a seeded global random order. */
    static final String SHUFFLED = "shuffled";
    /** {@code order} of a split whose records keep the source's order. */
    static final String SOURCE = "source";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Records in each shard of {@code split} (the last may be shorter; fewer where bad records were skipped). */
    public int[] shards(Split split) {
        return (split == Split.TRAIN ? trainShards : testShards).clone();
    }

    /** Records in {@code split}. */
    public int count(Split split) {
        return IntStream.of(split == Split.TRAIN ? trainShards : testShards).sum();
    }

    /** The JSON text of the file. */
    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT).put("version", VERSION);
        ArrayNode s = root.putArray("shape");
        Arrays.stream(shape).forEach(s::add);
        root.put("classes", classes).put("shard_size", shardSize);
        root.put("features", "float32 N x C x H x W, raw pixel values 0..255");
        root.put("labels", "float32 one-hot N x classes");
        ObjectNode train = split(root, "train", trainShards);
        if (trainShuffleSeed != null) {
            train.put("order", SHUFFLED).put("seed", trainShuffleSeed);
        } else {
            train.put("order", SOURCE);
        }
        split(root, "test", testShards).put("order", SOURCE);
        root.putObject("source").put("description", source).put("skipped_records", skippedRecords);
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Parses and checks the file's text; {@code uri} names it in errors. */
    public static ShardsManifest parse(String text, String uri) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new DataException(uri + ": not valid JSON (" + e.getOriginalMessage() + ")", e);
        }
        if (root == null || !FORMAT.equals(root.path("format").asText())) {
            throw new DataException(uri + ": expected \"format\": \"" + FORMAT + "\" (a folder written by netslim prepare)");
        }
        if (root.path("version").asInt() != VERSION) {
            throw new DataException(uri + ": version " + root.path("version") + ", expected " + VERSION);
        }
        JsonNode shapeNode = root.path("shape");
        if (!shapeNode.isArray() || shapeNode.size() != 3) {
            throw new DataException(uri + ": \"shape\" is " + shapeNode + ", expected [channels, height, width]");
        }
        long[] shape = new long[3];
        for (int i = 0; i < 3; i++) {
            shape[i] = positive(shapeNode.get(i), uri, "shape[" + i + "]");
        }
        int classes = (int) positive(root.path("classes"), uri, "classes");
        int shardSize = (int) positive(root.path("shard_size"), uri, "shard_size");
        int[] train = shardCounts(root.path("train"), "train", shardSize, uri);
        int[] test = shardCounts(root.path("test"), "test", shardSize, uri);
        JsonNode source = root.path("source");
        return new ShardsManifest(shape, classes, shardSize, train, test, source.path("description").asText(""),
                source.path("skipped_records").asLong(0), shuffleSeed(root.path("train"), "train", uri));
    }

    private static ObjectNode split(ObjectNode root, String name, int[] shards) {
        ObjectNode node = root.putObject(name);
        node.put("records", IntStream.of(shards).sum());
        ArrayNode counts = node.putArray("shards");
        IntStream.of(shards).forEach(counts::add);
        return node;
    }

    private static Long shuffleSeed(JsonNode split, String name, String uri) {
        String order = split.path("order").asText(SOURCE);
        if (order.equals(SOURCE)) {
            return null;
        }
        if (!order.equals(SHUFFLED) || !split.path("seed").canConvertToLong()) {
            throw new DataException(uri + ": \"" + name + ".order\" is " + split.path("order") + " with seed "
                    + split.path("seed") + ", expected \"" + SOURCE + "\" or \"" + SHUFFLED + "\" with an integer seed");
        }
        return split.path("seed").asLong();
    }

    private static long positive(JsonNode node, String uri, String field) {
        if (!node.canConvertToLong() || node.asLong() <= 0 || node.asLong() > Integer.MAX_VALUE) {
            throw new DataException(uri + ": \"" + field + "\" is " + node + ", expected a positive integer");
        }
        return node.asLong();
    }

    private static int[] shardCounts(JsonNode node, String name, int shardSize, String uri) {
        JsonNode shards = node.path("shards");
        if (!shards.isArray()) {
            throw new DataException(uri + ": \"" + name + ".shards\" is missing, expected the record count of each shard");
        }
        int[] counts = new int[shards.size()];
        long sum = 0;
        for (int i = 0; i < counts.length; i++) {
            JsonNode n = shards.get(i);
            if (!n.canConvertToInt() || n.asInt() < 0 || n.asInt() > shardSize) {
                throw new DataException(uri + ": \"" + name + ".shards[" + i + "]\" is " + n + ", expected 0.."
                        + shardSize + " records (shard_size)");
            }
            counts[i] = n.asInt();
            sum += counts[i];
        }
        if (!node.path("records").canConvertToLong() || node.path("records").asLong() != sum) {
            throw new DataException(uri + ": \"" + name + ".records\" is " + node.path("records")
                    + ", expected " + sum + " (the sum of its shards)");
        }
        return counts;
    }
}
