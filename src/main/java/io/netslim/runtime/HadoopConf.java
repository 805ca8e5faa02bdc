package io.netslim.runtime;

import io.netslim.config.JobConfig;
import org.apache.hadoop.conf.Configuration;

/** Hadoop settings before Spark starts: the cluster's *-site.xml plus every spark.hadoop.* property. */
public final class HadoopConf {
    private static final String PREFIX = "spark.hadoop.";

    private HadoopConf() {
    }

    public static Configuration of(JobConfig.SparkSettings spark) {
        Configuration conf = new Configuration();
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith(PREFIX))
                .forEach(k -> conf.set(k.substring(PREFIX.length()), System.getProperty(k)));
        spark.conf().forEach((k, v) -> {
            if (k.startsWith(PREFIX)) {
                conf.set(k.substring(PREFIX.length()), v);
            }
        });
        return conf;
    }
}
