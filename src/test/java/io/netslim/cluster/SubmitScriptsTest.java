package io.netslim.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netslim.cli.PipelineCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The launch scripts in submit/ (in their dry-run mode, which prints the spark-submit command they would run)
 * and the Airflow DAG: the options every target needs, and DAG tasks that are the documented netslim commands.
 * (Standalone submission for real is LocalClusterIT.)
 */
class SubmitScriptsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final File ROOT = new File("").getAbsoluteFile();

    /** Output of a command: exit code and stdout+stderr. */
    private record Result(int code, String out) {
        List<String> args() {
            return out.lines().toList();
        }

        /** Every --conf key=value of a dry run. */
        Map<String, String> confs() {
            Map<String, String> m = new LinkedHashMap<>();
            List<String> a = args().subList(0, args().indexOf("pipeline")); // spark-submit's, not netslim's
            for (int i = 0; i + 1 < a.size(); i++) {
                if (a.get(i).equals("--conf")) {
                    String kv = a.get(i + 1);
                    m.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
                }
            }
            return m;
        }

        /** What follows {@code option} in a dry run. */
        String after(String option) {
            List<String> a = args();
            int i = a.indexOf(option);
            assertTrue(i >= 0 && i + 1 < a.size(), option + " missing in " + a);
            return a.get(i + 1);
        }
    }

    @Test
    void yarnShipsTheJobConfigAndSizesOffHeapMemory() throws Exception {
        Result cluster = dryRun(Map.of("NETSLIM_EXECUTOR_OFFHEAP", "6"), "submit/yarn.sh", "cluster",
                "conf/quickstart.conf", "--set", "output=hdfs:///runs/a");
        assertEquals(0, cluster.code(), cluster.out());
        assertEquals("yarn", cluster.after("--master"));
        assertEquals("cluster", cluster.after("--deploy-mode"));
        assertEquals("conf/quickstart.conf", cluster.after("--files"));
        // In cluster mode the driver reads the shipped copy from its working directory.
        List<String> args = cluster.args();
        assertEquals(List.of("pipeline", "--conf", "quickstart.conf", "--set", "output=hdfs:///runs/a"),
                args.subList(args.size() - 5, args.size()));
        assertTrue(args.get(args.size() - 6).endsWith("-cluster.jar"), args.toString());
        Map<String, String> conf = cluster.confs();
        assertEquals("org.nd4j.kryo.Nd4jRegistrator", conf.get("spark.kryo.registrator"));
        assertEquals("7g", conf.get("spark.executor.memoryOverhead"));
        assertTrue(conf.get("spark.executor.extraJavaOptions").contains("-Dorg.bytedeco.javacpp.maxbytes=6G"));
        assertTrue(conf.get("spark.executor.extraJavaOptions").contains("platform.extension=-onednn-avx2"));
        assertEquals(cluster.after("--executor-cores"), conf.get("spark.executorEnv.OMP_NUM_THREADS"));

        // In client mode the driver runs here and reads the file where it is.
        Result client = dryRun(Map.of(), "submit/yarn.sh", "client", "conf/quickstart.conf");
        assertEquals("client", client.after("--deploy-mode"));
        List<String> clientArgs = client.args();
        assertEquals(List.of("pipeline", "--conf", "conf/quickstart.conf"),
                clientArgs.subList(clientArgs.size() - 3, clientArgs.size()));
    }

    @Test
    void gpuExecutorsUseTheCudaJarAndSparkResourceScheduling() throws Exception {
        Result noJar = dryRun(Map.of("NETSLIM_GPUS_PER_EXECUTOR", "2", "NETSLIM_JAR", ""), "submit/yarn.sh", "cluster",
                "conf/quickstart.conf");
        if (new File(ROOT, "target").listFiles((d, n) -> n.endsWith("-cluster-cuda.jar")).length == 0) {
            assertEquals(2, noJar.code());
            assertTrue(noJar.out().contains("-Pcuda"), noJar.out());
        }
        Result gpu = dryRun(Map.of("NETSLIM_GPUS_PER_EXECUTOR", "2", "NETSLIM_JAR", "/apps/netslim-cluster-cuda.jar"),
                "submit/yarn.sh", "cluster", "conf/quickstart.conf");
        assertEquals(0, gpu.code(), gpu.out());
        Map<String, String> conf = gpu.confs();
        assertEquals("2", conf.get("spark.executor.resource.gpu.amount"));
        assertEquals("2", conf.get("spark.task.resource.gpu.amount"));
        assertEquals("./gpu-discovery.sh", conf.get("spark.executor.resource.gpu.discoveryScript"));
        assertTrue(gpu.after("--files").endsWith("submit/gpu-discovery.sh"), gpu.after("--files"));
        assertTrue(gpu.args().contains("/apps/netslim-cluster-cuda.jar"));
        // The CUDA natives have no platform extension: the CPU build's must not be requested.
        assertTrue(!conf.get("spark.executor.extraJavaOptions").contains("platform.extension"));
    }

    @Test
    void kubernetesNeedsAnUploadPathAndRunsInClusterMode() throws Exception {
        Result missing = dryRun(Map.of(), "submit/kubernetes.sh", "https://k8s:6443", "img:1", "conf/quickstart.conf");
        assertTrue(missing.code() != 0 && missing.out().contains("NETSLIM_UPLOAD_PATH"), missing.out());
        Result k8s = dryRun(Map.of("NETSLIM_UPLOAD_PATH", "s3a://b/up"), "submit/kubernetes.sh", "https://k8s:6443",
                "img:1", "conf/quickstart.conf");
        assertEquals(0, k8s.code(), k8s.out());
        assertEquals("k8s://https://k8s:6443", k8s.after("--master"));
        assertEquals("cluster", k8s.after("--deploy-mode"));
        assertEquals("img:1", k8s.confs().get("spark.kubernetes.container.image"));
        assertEquals("s3a://b/up", k8s.confs().get("spark.kubernetes.file.upload.path"));
    }

    @Test
    void aMissingJobConfigIsNamed() throws Exception {
        Result r = dryRun(Map.of(), "submit/standalone.sh", "spark://h:7077", "conf/nope.conf");
        assertEquals(2, r.code());
        assertTrue(r.out().contains("conf/nope.conf"), r.out());
    }

    @Test
    void airflowTasksAreTheDocumentedCommandsWithTheScriptsSparkConf(@TempDir Path tmp) throws Exception {
        Result compiled = run(Map.of(), "python3", "-m", "py_compile", "submit/airflow/netslim_dag.py");
        assertEquals(0, compiled.code(), compiled.out());
        JsonNode dags = JSON.readTree(loadDag(tmp));
        JsonNode whole = dags.path("netslim_slimming");
        JsonNode stages = dags.path("netslim_slimming_stages");
        assertEquals(1, whole.size(), dags.toPrettyString());
        assertEquals(List.of("train", "prune", "finetune"), names(stages));
        assertEquals("[\"prune\"]", stages.at("/train/downstream").toString());
        assertEquals("[\"finetune\"]", stages.at("/prune/downstream").toString());

        String readme = Files.readString(new File(ROOT, "README.md").toPath());
        Map<String, String> scriptConf = dryRun(Map.of(), "submit/yarn.sh", "cluster", "conf/quickstart.conf").confs();
        List<JsonNode> tasks = new ArrayList<>();
        whole.forEach(tasks::add);
        stages.forEach(tasks::add);
        String output = null;
        for (JsonNode task : tasks) {
            List<String> args = new ArrayList<>();
            task.path("application_args").forEach(a -> args.add(a.asText()));
            assertTrue(readme.contains(String.join(" ", args)), "README does not document " + args);
            assertEquals("pipeline", args.get(0));
            // A valid netslim command line, all on one output.
            CommandLine.ParseResult parsed = new CommandLine(new PipelineCommand()).parseArgs(
                    args.subList(1, args.size()).toArray(String[]::new));
            String taskOutput = parsed.matchedOption("--set").getValue().toString();
            output = output == null ? taskOutput : output;
            assertEquals(output, taskOutput);
            assertEquals("io.netslim.Main", task.path("java_class").asText());
            scriptConf.forEach((k, v) -> assertEquals(v, task.at("/conf").path(k).asText(),
                    "DAG and submit/lib/spark-submit-args.sh disagree on " + k));
        }
        assertTrue(stages.at("/train/application_args").toString().contains("\"--until\",\"sparse\""));
        assertTrue(stages.at("/prune/application_args").toString().contains("\"--until\",\"prune\""));
        assertTrue(!stages.at("/finetune/application_args").toString().contains("--until"));
    }

    private static List<String> names(JsonNode node) {
        List<String> out = new ArrayList<>();
        node.fieldNames().forEachRemaining(out::add);
        return out;
    }

    /**
     * Executes the DAG file against a minimal stand-in for the two Airflow classes it uses (Airflow itself
     * cannot be installed here: no PyPI) and returns {dag_id: {task_id: operator kwargs + downstream}} as JSON.
     */
    private static String loadDag(Path tmp) throws Exception {
        Path pkg = tmp.resolve("airflow/providers/apache/spark/operators");
        Files.createDirectories(pkg);
        Files.writeString(tmp.resolve("airflow/__init__.py"), String.join("\n",
                "DAGS = {}",
                "class DAG:",
                "    current = None",
                "    def __init__(self, dag_id, **kwargs):",
                "        self.dag_id, self.tasks = dag_id, {}",
                "        DAGS[dag_id] = self",
                "    def __enter__(self):",
                "        DAG.current = self",
                "        return self",
                "    def __exit__(self, *exc):",
                "        DAG.current = None",
                ""));
        for (Path p = pkg; !p.equals(tmp.resolve("airflow")); p = p.getParent()) {
            Files.writeString(p.resolve("__init__.py"), "");
        }
        Files.writeString(pkg.resolve("spark_submit.py"), String.join("\n",
                "from airflow import DAG",
                "class SparkSubmitOperator:",
                "    def __init__(self, task_id, **kwargs):",
                "        self.task_id, self.kwargs, self.downstream = task_id, kwargs, []",
                "        DAG.current.tasks[task_id] = self",
                "    def __rshift__(self, other):",
                "        self.downstream.append(other.task_id)",
                "        return other",
                ""));
        Path runner = tmp.resolve("load_dag.py");
        Files.writeString(runner, String.join("\n",
                "import json, runpy, sys",
                "sys.path.insert(0, sys.argv[1])",
                "import airflow",
                "runpy.run_path(sys.argv[2])",
                "print(json.dumps({d.dag_id: {t.task_id: dict(t.kwargs, downstream=t.downstream)",
                "    for t in d.tasks.values()} for d in airflow.DAGS.values()}))",
                ""));
        Result r = run(Map.of(), "python3", runner.toString(), tmp.toString(), "submit/airflow/netslim_dag.py");
        assertEquals(0, r.code(), r.out());
        return r.out();
    }

    private static Result dryRun(Map<String, String> env, String... cmd) throws Exception {
        Map<String, String> all = new LinkedHashMap<>(env);
        all.put("NETSLIM_DRY_RUN", "1");
        all.putIfAbsent("SPARK_HOME", "/opt/spark");
        // A clean build runs these tests before 'package' makes the jar; "" tests the scripts' own lookup.
        all.putIfAbsent("NETSLIM_JAR", "/apps/netslim-0.1.0-cluster.jar");
        return run(all, cmd);
    }

    private static Result run(Map<String, String> env, String... cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("NETSLIM_"));
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", cmd) + " hung");
        return new Result(p.exitValue(), out);
    }
}
