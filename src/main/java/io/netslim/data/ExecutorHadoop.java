package io.netslim.data;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkEnv;
import org.apache.spark.deploy.SparkHadoopUtil;

/**
 * The Hadoop configuration for reading data inside a Spark task: the executor's *-site.xml plus every
 * spark.hadoop.* property of the job (s3a credentials, fs.defaultFS, ...), as Spark's own readers see it.
 */
final class ExecutorHadoop {
    private ExecutorHadoop() {
    }

    static Configuration conf() {
        SparkEnv env = SparkEnv.get();
        return env == null ? new Configuration() : SparkHadoopUtil.get().newConfiguration(env.conf());
    }
}
