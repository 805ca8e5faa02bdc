package io.netslim.train;

import io.netslim.config.JobConfig;
import org.apache.spark.api.java.JavaSparkContext;

/** The Spark context, started only when a stage needs it (a resumed run past training never starts Spark). */
public final class LazySpark implements AutoCloseable {
    private final JobConfig.SparkSettings settings;
    private JavaSparkContext sc;

    public LazySpark(JobConfig.SparkSettings settings) {
        this.settings = settings;
    }

    public JavaSparkContext get() {
        if (sc == null) {
            sc = SparkContexts.create(settings);
        }
        return sc;
    }

    @Override
    public void close() {
        if (sc != null) {
            sc.close();
            sc = null;
        }
    }
}
