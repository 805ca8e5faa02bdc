package io.netslim.search;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netslim.config.JobConfig;
import io.netslim.data.TaskSplits;
import io.netslim.metrics.Accuracy;
import io.netslim.metrics.ModelStats;
import io.netslim.prune.Pruner;
import io.netslim.train.LocalFit;
import io.netslim.train.LocalTrainer;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.factory.Nd4j;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * One candidate of a search, run as a Spark task on an executor (or on the driver): prunes the sparse model at the
 * candidate's ratio, fine-tunes it for a few epochs on the training shard and scores it on the validation split.
 * Returns the result as a JSON line (Spark's Kryo cannot write records): ratio, params, FLOPs, validation accuracy.
 */
final class CandidateTask implements Function<Double, String> {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Broadcast<byte[]> broadcastModel;
    private final transient byte[] localModel;
    private final TaskSplits data;
    private final JobConfig.PruneConfig prune;
    private final JobConfig.FinetuneConfig finetune;
    private final int epochs;
    private final int evalBatch;
    private final long seed;
    private final long[] shape;
    private final JobConfig.TrainConfig train;

    /**
     * {@code model} is the sparse model zip, as a broadcast on Spark or as bytes on the driver (the other null), for
     * inputs of {@code shape}; candidates fine-tune {@code epochs} epochs with the job's finetune.* settings.
     */
    CandidateTask(Broadcast<byte[]> broadcastModel, byte[] localModel, TaskSplits data, JobConfig cfg, long[] shape,
                  int epochs) {
        this.broadcastModel = broadcastModel;
        this.localModel = localModel;
        this.data = data;
        this.prune = cfg.prune();
        this.finetune = cfg.finetune();
        this.epochs = epochs;
        this.evalBatch = cfg.evalBatchSize();
        this.seed = cfg.train().seed();
        this.shape = shape.clone();
        this.train = cfg.train();
    }

    @Override
    public String call(Double ratio) {
        long t0 = System.nanoTime();
        ComputationGraph sparse = model();
        Pruner.Result cut = Pruner.of(prune).prune(sparse, ratio, String.format("candidate %.4f", ratio));
        ComputationGraph pruned = cut.pruned();
        ModelStats stats = ModelStats.of(pruned, shape);
        Nd4j.getRandom().setSeed(seed);
        LocalTrainer.fit(pruned, data.shard(finetune.batchSize(), seed),
                LocalFit.here(String.format("candidate %.4f", ratio), epochs, finetune.lr(), train));
        double accuracy = Accuracy.of(pruned, data.validation(evalBatch));
        ObjectNode out = JSON.createObjectNode();
        out.put("ratio", ratio);
        out.put("channels_removed", cut.removedChannels());
        out.put("params", stats.params());
        out.put("flops", stats.flops());
        out.put("validation_accuracy", accuracy);
        out.put("seconds", (System.nanoTime() - t0) / 1e9);
        out.put("host", host());
        return out.toString();
    }

    private ComputationGraph model() {
        byte[] zip = localModel != null ? localModel : broadcastModel.value();
        try {
            return ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(zip), false);
        } catch (IOException e) {
            throw new UncheckedIOException("sparse model: cannot read", e);
        }
    }

    private static String host() {
        org.apache.spark.TaskContext task = org.apache.spark.TaskContext.get();
        return task == null ? "driver" : "executor " + org.apache.spark.SparkEnv.get().executorId();
    }
}
