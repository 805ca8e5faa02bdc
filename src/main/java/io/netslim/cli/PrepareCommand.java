package io.netslim.cli;

import io.netslim.config.ConfigException;
import io.netslim.config.JobConfig;
import io.netslim.data.ShardFolder;
import io.netslim.data.ShardWriter;
import io.netslim.runtime.HadoopConf;
import io.netslim.train.SparkContexts;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** netslim prepare: the configured dataset as pre-built minibatch shards, so training stops decoding it. */
@Command(name = "prepare", mixinStandardHelpOptions = true,
        description = {"Read the configured dataset (data.format, data.path, data.limit-*, data.on-bad-record) on Spark",
                "and write it to --to as DL4J DataSet shard files plus shards.json, the training records in a",
                "global random order drawn from train.seed (test records in their order); train from them with",
                "data.format = shards and data.path = that folder."})
public final class PrepareCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions config;

    @Option(names = "--to", required = true, paramLabel = "URI", description = "Folder to write (any Hadoop FS URI)")
    String to;

    @Option(names = "--shard-size", defaultValue = "1024", paramLabel = "N",
            description = "Records per shard file (default: ${DEFAULT-VALUE})")
    int shardSize;

    @Option(names = "--overwrite", description = "Replace a dataset already prepared in --to")
    boolean overwrite;

    @Override
    public Integer call() {
        if (shardSize < 1) {
            throw new ConfigException("--shard-size " + shardSize + ": expected an integer >= 1");
        }
        JobConfig cfg = config.load();
        Configuration hadoop = HadoopConf.of(cfg.spark());
        ShardWriter writer = ShardWriter.of(cfg.data(), cfg.model().classes(), shardSize, cfg.train().seed(), hadoop);
        String root = ShardFolder.begin(to, cfg.data().path(), overwrite, hadoop);
        ShardWriter.Summary summary;
        try (JavaSparkContext sc = SparkContexts.create(cfg.spark())) {
            summary = writer.write(sc, root, hadoop);
        }
        System.out.println(summary.uri());
        System.out.println(summary.line());
        return ExitCodes.OK;
    }
}
