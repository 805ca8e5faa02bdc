package io.netslim.artifacts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netslim.config.ConfigException;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a run folder knows about itself, so that a rerun resumes instead of starting over: the config it
 * belongs to ({@code run.json}), which stages finished ({@code _stages/*.json}, each with its files'
 * checksums and its part of the report), and at the end {@code manifest.json} and {@code _SUCCESS}.
 */
public final class RunLedger {
    public static final String RUN = "run.json";
    public static final String MANIFEST = "manifest.json";
    public static final String SUCCESS = "_SUCCESS";
    private static final String STAGES = "_stages";
    /** Config keys that may differ between a run and its resumption: where it writes and how Spark runs. */
    private static final Set<String> NOT_COMPARED = Set.of("output", "spark");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** What {@link #begin} found. */
    public enum Start { NEW, RESUME, FINISHED }

    private final ArtifactStore store;

    public RunLedger(ArtifactStore store) {
        this.store = store;
    }

    /**
     * Binds the folder to a config. A new or empty folder starts a run; the same config resumes it (or
     * finds it finished); a different config is refused, naming the differing keys. With {@code overwrite}
     * everything there is deleted first.
     */
    public Start begin(String configJson, boolean overwrite) {
        if (overwrite) {
            store.clear();
        }
        ObjectNode config = (ObjectNode) parse(configJson, "config");
        if (!store.exists(RUN)) {
            List<String> existing = store.list("");
            existing.remove("_tmp");
            if (!existing.isEmpty()) {
                throw new ConfigException("output " + store.uri() + " holds files that are not a netslim run ("
                        + String.join(", ", existing.subList(0, Math.min(5, existing.size())))
                        + "); choose another output or pass --overwrite");
            }
            ObjectNode run = JSON.createObjectNode();
            run.put("config_hash", configHash(config));
            run.set("config", config);
            store.writeText(RUN, write(run));
            return Start.NEW;
        }
        JsonNode previous = parse(store.readText(RUN), store.uri(RUN)).get("config");
        List<String> diff = differences(comparable(previous), comparable(config));
        if (!diff.isEmpty()) {
            throw new ConfigException("output " + store.uri() + " belongs to a run with another config; "
                    + "differing keys (was -> now): " + String.join("; ", diff)
                    + ". Use another output, the same config, or --overwrite");
        }
        return store.exists(SUCCESS) ? Start.FINISHED : Start.RESUME;
    }

    /** True when {@code stage} was committed. */
    public boolean isDone(String stage) {
        return store.exists(marker(stage));
    }

    /** The report part recorded with a committed stage. */
    public ObjectNode record(String stage) {
        return (ObjectNode) parse(store.readText(marker(stage)), store.uri(marker(stage))).get("record");
    }

    /** Commits a stage: its files (already in place) with size and checksum, and its report part. */
    public void commit(String stage, List<String> files, ObjectNode record) {
        ObjectNode m = JSON.createObjectNode();
        m.put("stage", stage);
        ArrayNode list = m.putArray("files");
        for (String f : files) {
            list.addObject().put("path", f).put("size", store.size(f)).put("sha256", store.sha256(f));
        }
        m.set("record", record);
        store.writeText(marker(stage), write(m));
    }

    /** Checks a committed stage's file against the checksum recorded when it was written. */
    public void check(String stage, String file) {
        JsonNode m = parse(store.readText(marker(stage)), store.uri(marker(stage)));
        for (JsonNode f : m.get("files")) {
            if (f.get("path").asText().equals(file)) {
                String actual = store.sha256(file);
                if (!actual.equals(f.get("sha256").asText())) {
                    throw new OutputException(store.uri(file) + ": checksum mismatch (recorded "
                            + f.get("sha256").asText() + ", file has " + actual + "); the file was changed or damaged");
                }
                return;
            }
        }
        throw new OutputException(store.uri(file) + ": not recorded by stage " + stage);
    }

    /**
     * Writes manifest.json (every committed file with size and SHA-256, version, config hash and lineage)
     * and then _SUCCESS, the last file of a run.
     */
    public void finish(String version, Map<String, String> lineage) {
        JsonNode run = parse(store.readText(RUN), store.uri(RUN));
        ObjectNode manifest = JSON.createObjectNode();
        manifest.put("netslim_version", version);
        manifest.put("config_hash", run.get("config_hash").asText());
        ArrayNode files = manifest.putArray("files");
        for (String stageFile : store.list(STAGES)) {
            for (JsonNode f : parse(store.readText(STAGES + "/" + stageFile), stageFile).get("files")) {
                files.add(f);
            }
        }
        ObjectNode lin = manifest.putObject("lineage");
        lineage.forEach((model, from) -> lin.put(model, from));
        store.writeText(MANIFEST, write(manifest));
        store.writeText(SUCCESS, "");
    }

    /** Checks every file of a finished run against its manifest; returns the problems found (empty: all good). */
    public List<String> verify() {
        List<String> problems = new ArrayList<>();
        if (!store.exists(MANIFEST)) {
            problems.add(store.uri(MANIFEST) + ": missing (the run did not finish)");
            return problems;
        }
        if (!store.exists(SUCCESS)) {
            problems.add(store.uri(SUCCESS) + ": missing (the run did not finish)");
        }
        JsonNode manifest = parse(store.readText(MANIFEST), store.uri(MANIFEST));
        for (JsonNode f : manifest.get("files")) {
            String path = f.get("path").asText();
            try {
                if (!store.exists(path)) {
                    problems.add(store.uri(path) + ": missing");
                    continue;
                }
                long size = store.size(path);
                if (size != f.get("size").asLong()) {
                    problems.add(store.uri(path) + ": size " + size + ", manifest says " + f.get("size").asLong());
                } else if (!store.sha256(path).equals(f.get("sha256").asText())) {
                    problems.add(store.uri(path) + ": SHA-256 differs from the manifest");
                }
            } catch (OutputException e) {
                problems.add(store.uri(path) + ": cannot be read (" + e.getMessage() + ")");
            }
        }
        return problems;
    }

    /** The lineage recorded in a finished run's manifest. */
    public Map<String, String> lineage() {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        parse(store.readText(MANIFEST), store.uri(MANIFEST)).get("lineage").fields()
                .forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    /** Number of files a finished run's manifest lists. */
    public int manifestSize() {
        return parse(store.readText(MANIFEST), store.uri(MANIFEST)).get("files").size();
    }

    private static String marker(String stage) {
        return STAGES + "/" + stage.replace('/', '-') + ".json";
    }

    private static JsonNode comparable(JsonNode config) {
        ObjectNode copy = config.deepCopy();
        NOT_COMPARED.forEach(copy::remove);
        return copy;
    }

    /** SHA-256 of the config (without output and Spark settings), canonical key order. */
    static String configHash(JsonNode config) {
        Map<String, String> flat = new TreeMap<>();
        flatten("", comparable(config), flat);
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(flat.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<String> differences(JsonNode before, JsonNode now) {
        Map<String, String> a = new TreeMap<>();
        Map<String, String> b = new TreeMap<>();
        flatten("", before, a);
        flatten("", now, b);
        Set<String> keys = new TreeSet<>(a.keySet());
        keys.addAll(b.keySet());
        List<String> diff = new ArrayList<>();
        for (String k : keys) {
            String va = a.get(k);
            String vb = b.get(k);
            if (va == null ? vb != null : !va.equals(vb)) {
                diff.add(k + ": " + va + " -> " + vb);
            }
        }
        return diff;
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), out);
            }
        } else {
            out.put(prefix, node.toString());
        }
    }

    private static JsonNode parse(String json, String where) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new OutputException(where + ": not valid JSON (" + e.getOriginalMessage() + ")", e);
        }
    }

    private static String write(JsonNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
