package io.netslim.bench;

import io.netslim.train.LazySpark;
import io.netslim.pipeline.Networks;
import io.netslim.runtime.HadoopConf;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netslim.config.JobConfig;
import io.netslim.data.ImageSource;
import io.netslim.train.AveragingFrequency;
import io.netslim.train.AveragingProbe;
import io.netslim.train.AveragingRound;
import io.netslim.train.ExecutorBackends;
import io.netslim.train.TrainingApproach;
import io.netslim.train.TrainingKernels;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * What one parameter-averaging round of the configured model costs on the configured master (bench averaging):
 * bytes of parameters and updater state per round, driver, broadcast and treeAggregate times, the workers'
 * compute per minibatch, and the frequency auto would choose. The minibatches are random images of the model's
 * input shape made on the executors (a round's cost does not depend on the pixels), so it reads no data when
 * model.input-shape is set.
 */
public final class AveragingBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final JobConfig cfg;
    private final int rounds;

    /** @param rounds measured rounds (one more runs first, untimed) */
    public AveragingBenchmark(JobConfig cfg, int rounds) {
        this.cfg = cfg;
        this.rounds = rounds;
    }

    public ObjectNode run() {
        long[] shape = cfg.model().inputShape();
        if (shape == null) {
            shape = ImageSource.open(cfg.data(), cfg.model().classes(), HadoopConf.of(cfg.spark())).inputShape();
        }
        JobConfig.TrainConfig t = cfg.train();
        int frequency = t.autoAveraging() ? 2 : t.averagingFrequency();
        try (LazySpark spark = new LazySpark(cfg.spark())) {
            JavaSparkContext sc = spark.get();
            int workers = t.workers() > 0 ? t.workers() : sc.defaultParallelism();
            TrainingKernels.Choice kernels = ExecutorBackends.choose(t.kernels(), sc);
            ComputationGraph net = Networks.forTraining(cfg, shape, cfg.sparsityLambda(), kernels.kernels());
            TrainingApproach approach = TrainingApproach.resolve(t.approach(), sc.hadoopConfiguration(),
                    sc.sc().applicationId());
            JavaRDD<DataSet> batches = randomMinibatches(sc, workers * frequency * (rounds + 1), workers, shape,
                    t.batchSize(), cfg.model().classes(), t.seed());
            long t0 = System.nanoTime();
            AveragingRound round = AveragingProbe.measure(sc, net, batches, workers, t.batchSize(), frequency,
                    approach, t.seed(), 1, t.netslimAveraging());
            ObjectNode out = JSON.createObjectNode();
            out.put("model", cfg.model().arch() + "-" + cfg.model().depth());
            out.putArray("input_shape").add(shape[0]).add(shape[1]).add(shape[2]);
            out.put("batch_size", t.batchSize()).put("master", sc.master()).put("workers", workers)
                    .put("params", net.numParams()).put("kernels", kernels.kernels().id())
                    .put("averaging", t.averaging()).put("approach", approach.name()).put("seconds", (System.nanoTime() - t0) / 1e9);
            out.set("round", round.json());
            out.put("auto_frequency", AveragingFrequency.choose(round.stepMs().median(), round.commMs().median(),
                    AveragingFrequency.MAX_FREQUENCY));
            return out;
        }
    }

    /** {@code count} minibatches of random images and labels in {@code partitions} partitions, made on the executors. */
    public static JavaRDD<DataSet> randomMinibatches(JavaSparkContext sc, int count, int partitions, long[] shape, int batch,
                                              int classes, long seed) {
        List<Integer> ids = IntStream.range(0, count).boxed().toList();
        return sc.parallelize(ids, partitions).map(i -> {
            Random r = new Random(seed * 31 + i);
            float[] x = new float[(int) (batch * shape[0] * shape[1] * shape[2])];
            for (int k = 0; k < x.length; k++) {
                x[k] = (float) r.nextGaussian();
            }
            float[] y = new float[batch * classes];
            for (int k = 0; k < batch; k++) {
                y[k * classes + r.nextInt(classes)] = 1;
            }
            return new DataSet(Nd4j.create(x, new long[] {batch, shape[0], shape[1], shape[2]}),
                    Nd4j.create(y, new long[] {batch, classes}));
        });
    }
}
