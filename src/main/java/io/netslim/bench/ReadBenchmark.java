package io.netslim.bench;

import io.netslim.train.LazySpark;
import io.netslim.runtime.HadoopConf;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netslim.config.JobConfig;
import io.netslim.data.ImageBatches;
import io.netslim.data.ImageSource;
import io.netslim.metrics.Throughput;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * How fast the configured dataset reaches training, without training: epochs of training minibatches
 * assembled on the Spark executors as sparsity training gets them (read, shuffled, augmented), and passes
 * of the single-node stream fine-tuning reads. Records per second, per executor core, medians of several
 * epochs after one untimed epoch.
 */
public final class ReadBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final JobConfig cfg;
    private final int runs;

    public ReadBenchmark(JobConfig cfg, int runs) {
        this.cfg = cfg;
        this.runs = runs;
    }

    public ObjectNode run() {
        Configuration hadoop = HadoopConf.of(cfg.spark());
        ImageSource data = ImageSource.open(cfg.data(), cfg.model().classes(), hadoop);
        ObjectNode out = JSON.createObjectNode();
        out.put("format", cfg.data().format());
        out.put("path", cfg.data().path());
        out.put("file_system", new Path(cfg.data().path()).toUri().getScheme() == null ? "file"
                : new Path(cfg.data().path()).toUri().getScheme());
        out.put("records", data.trainCount());
        int batch = cfg.train().batchSize();
        out.put("batch_size", batch);
        try (LazySpark lazy = new LazySpark(cfg.spark())) {
            JavaSparkContext sc = lazy.get();
            int cores = sc.defaultParallelism();
            int workers = cfg.train().workers() > 0 ? cfg.train().workers() : cores;
            out.put("spark_master", sc.master());
            out.put("executor_cores", cores);
            out.put("workers", workers);
            double[] spark = new double[runs];
            for (int epoch = 0; epoch <= runs; epoch++) {
                long t0 = System.nanoTime();
                ImageSource.Minibatches m = data.trainMinibatches(sc, batch, workers, cfg.train().seed(), epoch, 0, 1);
                long batches = m.rdd().count();
                double seconds = (System.nanoTime() - t0) / 1e9;
                if (epoch > 0) {
                    spark[epoch - 1] = m.images() / seconds;
                }
                if (batches == 0) {
                    throw new IllegalStateException("no minibatches: the training split is empty");
                }
            }
            put(out.putObject("spark_records_per_s"), spark);
            out.put("spark_records_per_s_per_core", Throughput.median(spark) / cores);
        }
        double[] stream = new double[runs];
        ImageBatches train = data.trainBatches(batch, cfg.train().seed());
        for (int pass = 0; pass <= runs; pass++) {
            long t0 = System.nanoTime();
            train.reset();
            long records = 0;
            while (train.hasNext()) {
                records += train.next().numExamples();
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (pass > 0) {
                stream[pass - 1] = records / seconds;
            }
        }
        put(out.putObject("stream_records_per_s"), stream);
        return out;
    }

    private static void put(ObjectNode node, double[] values) {
        ArrayNode all = node.putArray("runs");
        double min = Double.MAX_VALUE;
        double max = 0;
        for (double v : values) {
            all.add(v);
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        node.put("median", Throughput.median(values));
        node.put("min", min);
        node.put("max", max);
    }
}
