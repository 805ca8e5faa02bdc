package io.netslim.train;

import io.netslim.config.JobConfig;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Creates the job's Spark context: master from spark-submit if it set one, else from the config; Kryo with
 * ND4J's registrator; each task's share of the cores ({@link TaskThreads}); on a cluster master, what the
 * executors need ({@link ExecutorDefaults}).
 */
public final class SparkContexts {
    private SparkContexts() {
    }

    public static JavaSparkContext create(JobConfig.SparkSettings settings) {
        return new JavaSparkContext(configure(settings, new SparkConf()));
    }

    /** {@code conf} (which holds whatever spark-submit set) completed from the job's settings. */
    static SparkConf configure(JobConfig.SparkSettings settings, SparkConf conf) {
        if (!conf.contains("spark.master")) {
            conf.setMaster(settings.master());
        }
        if (!conf.contains("spark.app.name")) {
            conf.setAppName(settings.appName());
        }
        conf.setIfMissing("spark.serializer", "org.apache.spark.serializer.KryoSerializer");
        conf.setIfMissing("spark.kryo.registrator", "org.nd4j.kryo.Nd4jRegistrator");
        conf.setIfMissing("spark.kryoserializer.buffer.max", "512m");
        // Spark's console bar redraws itself with carriage returns: in a log file every stage leaves a line. The
        // trainer logs its own progress line per chunk instead.
        conf.setIfMissing("spark.ui.showConsoleProgress", "false");
        if (conf.get("spark.master").startsWith("local")) {
            conf.setIfMissing("spark.driver.host", "127.0.0.1");
            conf.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
        }
        settings.conf().forEach(conf::set);
        // every task's kernels get their share of the executor's cores, not all of them
        String plugins = conf.get("spark.plugins", "");
        if (!plugins.contains(TaskThreads.class.getName())) {
            conf.set("spark.plugins", plugins.isBlank() ? TaskThreads.class.getName()
                    : plugins + "," + TaskThreads.class.getName());
        }
        if (!conf.get("spark.master").startsWith("local")) {
            ExecutorDefaults.apply(conf);
        }
        return conf;
    }
}
