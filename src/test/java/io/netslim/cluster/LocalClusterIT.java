package io.netslim.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netslim.Main;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The cluster path for real: submit/local-cluster starts a Spark standalone master, two workers, a NameNode
 * and a DataNode (separate JVMs on 127.0.0.1); submit/standalone.sh submits the cluster jar through
 * org.apache.spark.deploy.SparkSubmit; data is read from and artifacts written to the cluster's HDFS.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Tag("cluster")
class LocalClusterIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TRAINING_STAGE = io.netslim.train.NetslimAveraging.TRAINING_STAGE;

    private final File root = new File("").getAbsoluteFile();
    private final File dir = new File(root, "target/it-cluster");
    private final Map<String, String> env = new HashMap<>();
    private String hdfs;
    private String master;
    private FileSystem fs;

    @BeforeAll
    void startCluster() throws Exception {
        env.put("NETSLIM_CLUSTER_DIR", dir.getPath());
        env.put("NETSLIM_CLUSTER_SPARK_PORT", String.valueOf(freePort()));
        env.put("NETSLIM_CLUSTER_UI_PORT", String.valueOf(freePort()));
        env.put("NETSLIM_CLUSTER_HDFS_PORT", String.valueOf(freePort()));
        env.put("NETSLIM_CLUSTER_WORKER_MEMORY", "3g");
        run(List.of("submit/local-cluster", "stop"), 120); // leftovers of an aborted earlier run
        deleteTree(dir);
        assertEquals(0, run(List.of("submit/local-cluster", "start"), 600), "local-cluster start");
        Map<String, String> started = new HashMap<>();
        for (String line : Files.readAllLines(new File(dir, "cluster.env").toPath())) {
            started.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
        }
        master = started.get("NETSLIM_SPARK_MASTER");
        hdfs = started.get("NETSLIM_HDFS");
        assertEquals("spark://127.0.0.1:" + env.get("NETSLIM_CLUSTER_SPARK_PORT"), master);
        assertEquals(0, run(List.of("submit/local-cluster", "hdfs", "-mkdir", "-p", "/data"), 120));
        assertEquals(0, run(List.of("submit/local-cluster", "hdfs", "-put",
                System.getProperty("netslim.fashion.dir"), "/data/fashion-mnist"), 120));
        fs = FileSystem.get(URI.create(hdfs), new Configuration());
        assertTrue(fs.exists(new Path("/data/fashion-mnist/train-images-idx3-ubyte.gz")));
    }

    @AfterAll
    void stopCluster() throws Exception {
        if (fs != null) {
            fs.close();
        }
        assertEquals(0, run(List.of("submit/local-cluster", "stop"), 180), "local-cluster stop");
        List<String> left = ProcessHandle.allProcesses()
                .map(p -> p.info().commandLine().orElse(""))
                .filter(cmd -> cmd.contains(dir.getPath()) && cmd.contains("java"))
                .toList();
        assertTrue(left.isEmpty(), "still running after stop: " + left);
    }

    @Test
    void trainsOnBothExecutorsWithDataAndArtifactsOnHdfs() throws Exception {
        String output = hdfs + "/runs/full";
        File events = new File(dir, "events-full");
        Process job = submit(output, events, freePort(), "2g", "train.epochs=2");
        assertTrue(job.waitFor(15, TimeUnit.MINUTES), "job did not finish");
        assertEquals(0, job.exitValue(), "spark-submit exit code; log: " + new File(dir, "full.log"));

        assertRunComplete(output);
        JsonNode report = JSON.readTree(fs.open(new Path(output + "/report.json")));
        JsonNode sparse = report.at("/passes/0/stages/sparse");
        // netslim's averaging keeps the minibatches cached on the executors (DL4J's master would export them to HDFS)
        assertEquals("netslim", sparse.path("parameter_averaging").asText(), report.toPrettyString());
        assertEquals("direct", sparse.path("training_approach").asText(), report.toPrettyString());
        assertEquals(2 * 2048, sparse.path("images").asLong());
        // 2,048 images, 2 epochs on 2 executors, 1 fine-tuning epoch: 0.36 measured (chance 0.1)
        double tuned = report.at("/passes/0/stages/finetuned/test_accuracy").asDouble();
        assertTrue(tuned > 0.25, "fine-tuned accuracy " + tuned);

        EventLog log = EventLog.read(events);
        Set<String> trainers = log.executorsOfStages(TRAINING_STAGE);
        assertEquals(2, trainers.size(), "executors that ran training tasks: " + trainers + "; stages " + log.stageNames);
        // no minibatch files were left on HDFS
        assertFalse(fs.exists(new Path("/tmp/netslim-export/" + log.appId)), "export folder left behind");
    }

    @Test
    void finishesWhenAnExecutorIsKilledDuringTraining() throws Exception {
        String output = hdfs + "/runs/killed";
        File events = new File(dir, "events-killed");
        int uiPort = freePort();
        // Longer tasks (10 minibatches per averaging round) so the kill lands inside one.
        Process job = submit(output, events, uiPort, "2g", "train.epochs=3", "train.averaging-frequency=10");
        String killed = null;
        try {
            killed = killExecutorRunningATrainingTask(job, uiPort);
            assertTrue(job.waitFor(15, TimeUnit.MINUTES), "job did not finish after the executor was killed");
        } finally {
            job.destroyForcibly();
        }
        assertEquals(0, job.exitValue(), "spark-submit exit code after killing executor " + killed);

        assertRunComplete(output);
        EventLog log = EventLog.read(events);
        assertTrue(log.lostTasks(TRAINING_STAGE) > 0, "no training task was lost with executor " + killed);
        assertTrue(log.executorsAdded >= 3, "no replacement executor started: " + log.executorsAdded);
        assertTrue(log.executorsRemoved.contains(killed), "executor " + killed + " not reported lost: "
                + log.executorsRemoved);
    }

    @Test
    void trainsFromADatasetLargerThanTheDriverHeap() throws Exception {
        // 100 training images of 1400x1400 noise (5.9 MB each as PNG): about 590 MB on HDFS for a 512 MB driver.
        byte[] png = noisePng(1400);
        for (int c = 0; c < 2; c++) {
            for (int i = 0; i < 50; i++) {
                put("/big/train/class" + c + "/img" + i + ".png", png);
            }
            for (int i = 0; i < 4; i++) {
                put("/big/val/class" + c + "/img" + i + ".png", png);
            }
        }
        long bytes = fs.getContentSummary(new Path("/big/train")).getLength();
        assertTrue(bytes > 512L << 20, "training set of " + bytes + " bytes");
        String output = hdfs + "/runs/big";
        Process job = submit(output, new File(dir, "events-big"), freePort(), "512m", "data.format=folder",
                "data.path=" + hdfs + "/big", "data.image-size=16", "model.classes=2", "data.limit-train=0",
                "data.limit-test=0", "train.epochs=1");
        assertTrue(job.waitFor(15, TimeUnit.MINUTES), "job did not finish");
        assertEquals(0, job.exitValue(), "spark-submit exit code; log: " + new File(dir, "big.log"));
        assertRunComplete(output);
        JsonNode report = JSON.readTree(fs.open(new Path(output + "/report.json")));
        assertEquals(100, report.at("/data/train_images").asInt());
        assertEquals(100, report.at("/passes/0/stages/sparse/images").asInt());
    }

    private void put(String path, byte[] bytes) throws IOException {
        try (var out = fs.create(new Path(path), true)) {
            out.write(bytes);
        }
    }

    private static byte[] noisePng(int side) throws IOException {
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(side, side,
                java.awt.image.BufferedImage.TYPE_INT_RGB);
        java.util.Random rnd = new java.util.Random(3);
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                img.setRGB(x, y, rnd.nextInt(1 << 24));
            }
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        javax.imageio.ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    /** Waits until epoch 2 runs a training task that started within the last 3 s, and kills its executor's JVM. */
    private String killExecutorRunningATrainingTask(Process job, int uiPort) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String api = "http://127.0.0.1:" + uiPort + "/api/v1/applications";
        File log = new File(dir, "killed.log");
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (System.nanoTime() < deadline && job.isAlive()) {
            Thread.sleep(200);
            if (!Files.readString(log.toPath()).contains("sparsity training epoch 1/3")) {
                continue;
            }
            JsonNode apps = get(http, api);
            if (apps == null || apps.size() == 0) {
                continue;
            }
            String app = apps.get(0).path("id").asText();
            JsonNode stages = get(http, api + "/" + app + "/stages?status=active");
            for (JsonNode stage : stages == null ? JSON.createArrayNode() : stages) {
                if (!stage.path("name").asText().startsWith(TRAINING_STAGE)) {
                    continue;
                }
                JsonNode tasks = get(http, api + "/" + app + "/stages/" + stage.path("stageId").asInt() + "/"
                        + stage.path("attemptId").asInt() + "/taskList?status=running");
                for (JsonNode task : tasks == null ? JSON.createArrayNode() : tasks) {
                    Instant launched = LocalDateTime.parse(task.path("launchTime").asText().replace("GMT", ""),
                            DateTimeFormatter.ISO_LOCAL_DATE_TIME).toInstant(ZoneOffset.UTC);
                    if (Duration.between(launched, Instant.now()).toMillis() > 3000) {
                        continue;
                    }
                    String executor = task.path("executorId").asText();
                    Optional<ProcessHandle> jvm = ProcessHandle.allProcesses().filter(p -> {
                        String cmd = p.info().commandLine().orElse("");
                        return cmd.contains("CoarseGrainedExecutorBackend") && cmd.contains("--app-id " + app)
                                && cmd.contains("--executor-id " + executor + " ");
                    }).findFirst();
                    if (jvm.isPresent()) {
                        assertTrue(jvm.get().destroyForcibly(), "could not kill executor " + executor);
                        return executor;
                    }
                }
            }
        }
        fail("found no running training task to interrupt; log: " + log);
        return null;
    }

    private Process submit(String output, File events, int uiPort, String driverMemory, String... sets)
            throws IOException {
        File sparkConf = new File(events.getPath() + "-conf");
        Files.createDirectories(events.toPath());
        Files.createDirectories(sparkConf.toPath());
        Files.writeString(new File(sparkConf, "spark-defaults.conf").toPath(), String.join("\n",
                "spark.eventLog.enabled true",
                "spark.eventLog.dir " + events.toURI(),
                "spark.ui.port " + uiPort,
                "spark.hadoop.fs.defaultFS " + hdfs, // Export approach on HDFS
                ""));
        List<String> cmd = new ArrayList<>(List.of("submit/standalone.sh", master, "conf/quickstart.conf",
                "--set", "data.path=" + hdfs + "/data/fashion-mnist", "--set", "output=" + output,
                "--set", "data.limit-train=2048", "--set", "data.limit-test=500", "--set", "finetune.epochs=1",
                "--set", "eval.monitor-images=0"));
        for (String s : sets) {
            cmd.add("--set");
            cmd.add(s);
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(root).redirectErrorStream(true)
                .redirectOutput(new File(dir, events.getName().replace("events-", "") + ".log"));
        pb.environment().putAll(env);
        pb.environment().put("SPARK_HOME", new File(dir, "spark").getPath());
        pb.environment().put("SPARK_CONF_DIR", sparkConf.getPath());
        pb.environment().put("NETSLIM_EXECUTOR_CORES", "1");
        pb.environment().put("NETSLIM_EXECUTOR_MEMORY", "2g");
        pb.environment().put("NETSLIM_EXECUTOR_OFFHEAP", "3");
        pb.environment().put("NETSLIM_DRIVER_MEMORY", driverMemory);
        pb.environment().put("NETSLIM_DRIVER_OFFHEAP", "4");
        return pb.start();
    }

    private void assertRunComplete(String output) throws IOException {
        assertTrue(fs.exists(new Path(output + "/_SUCCESS")), "no _SUCCESS in " + output);
        for (String file : List.of("sparse.zip", "pruned.zip", "finetuned.zip", "gammas.csv", "report.html")) {
            assertTrue(fs.getFileStatus(new Path(output + "/" + file)).getLen() > 0, file);
        }
        assertEquals(0, Main.run("verify", output), "netslim verify " + output);
    }

    private int run(List<String> cmd, int timeoutSeconds) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(root).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.INHERIT);
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(cmd + " did not finish within " + timeoutSeconds + " s");
        }
        return p.exitValue();
    }

    private static JsonNode get(HttpClient http, String url) {
        try {
            HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofInputStream());
            return r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
        } catch (IOException e) {
            return null; // the driver's UI is not up yet
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void deleteTree(File f) {
        File[] children = f.listFiles();
        if (children != null && !Files.isSymbolicLink(f.toPath())) {
            for (File c : children) {
                deleteTree(c);
            }
        }
        f.delete();
    }

    /** What Spark's event log says about one application: stages, which executors ran them, losses. */
    private static final class EventLog {
        String appId;
        final Map<Integer, String> stageNames = new HashMap<>();
        final Map<Integer, Set<String>> executorsByStage = new HashMap<>();
        final Map<Integer, Integer> lostByStage = new HashMap<>();
        final Set<String> executorsRemoved = new HashSet<>();
        int executorsAdded;

        static EventLog read(File folder) throws IOException {
            File[] files = folder.listFiles();
            assertTrue(files != null && files.length == 1, "expected one event log in " + folder);
            EventLog log = new EventLog();
            for (String line : Files.readAllLines(files[0].toPath())) {
                JsonNode e = JSON.readTree(line);
                switch (e.path("Event").asText()) {
                    case "SparkListenerApplicationStart" -> log.appId = e.path("App ID").asText();
                    case "SparkListenerStageSubmitted" -> log.stageNames.put(e.at("/Stage Info/Stage ID").asInt(),
                            e.at("/Stage Info/Stage Name").asText());
                    case "SparkListenerExecutorAdded" -> log.executorsAdded++;
                    case "SparkListenerExecutorRemoved" -> log.executorsRemoved.add(e.path("Executor ID").asText());
                    case "SparkListenerTaskEnd" -> {
                        int stage = e.path("Stage ID").asInt();
                        if (e.at("/Task End Reason/Reason").asText().equals("Success")) {
                            log.executorsByStage.computeIfAbsent(stage, s -> new HashSet<>())
                                    .add(e.at("/Task Info/Executor ID").asText());
                        } else if (e.at("/Task End Reason/Reason").asText().equals("ExecutorLostFailure")) {
                            log.lostByStage.merge(stage, 1, Integer::sum);
                        }
                    }
                    default -> {
                    }
                }
            }
            return log;
        }

        Set<String> executorsOfStages(String namePrefix) {
            Set<String> out = new HashSet<>();
            stageNames.forEach((id, name) -> {
                if (name.startsWith(namePrefix)) {
                    out.addAll(executorsByStage.getOrDefault(id, Set.of()));
                }
            });
            return out;
        }

        int lostTasks(String namePrefix) {
            return stageNames.entrySet().stream().filter(s -> s.getValue().startsWith(namePrefix))
                    .mapToInt(s -> lostByStage.getOrDefault(s.getKey(), 0)).sum();
        }
    }
}
