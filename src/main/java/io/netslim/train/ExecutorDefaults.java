package io.netslim.train;

import io.netslim.runtime.BuildInfo;
import io.netslim.runtime.NativeDefaults;
import io.netslim.config.ConfigException;
import org.apache.spark.SparkConf;

import java.io.File;
import java.net.URISyntaxException;

/**
 * What executors in other JVMs need when the driver was not started by spark-submit (e.g. the local launcher
 * with {@code spark.master = spark://...}): netslim's cluster jar, ND4J's native flags and off-heap limit,
 * and OpenMP settings that do not spin on shared cores. Anything the user set wins.
 */
final class ExecutorDefaults {
    /** ND4J off-heap limit of an executor unless spark.executor.extraJavaOptions says otherwise. */
    static final String OFF_HEAP = "4G";

    private ExecutorDefaults() {
    }

    static void apply(SparkConf conf) {
        if (!conf.contains("spark.jars")) { // spark-submit puts the application jar here
            conf.set("spark.jars", clusterJar(conf.get("spark.master")).getAbsolutePath());
        }
        conf.setIfMissing("spark.executor.extraJavaOptions", NativeDefaults.javaOptions(OFF_HEAP));
        conf.setIfMissing("spark.executorEnv.OMP_WAIT_POLICY", "PASSIVE");
        if (conf.contains("spark.executor.cores")) {
            conf.setIfMissing("spark.executorEnv.OMP_NUM_THREADS", conf.get("spark.executor.cores"));
        }
    }

    /** The jar holding netslim's classes: the one we run from, or target/netslim-VERSION-cluster.jar next to target/classes. */
    static File clusterJar(String master) {
        File code;
        try {
            code = new File(ExecutorDefaults.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            throw new ConfigException("spark.master = " + master + ": cannot locate netslim's own classes (" + e + ")");
        }
        if (code.isFile()) {
            return code;
        }
        File jar = new File(code.getParentFile(), "netslim-" + BuildInfo.VERSION + "-cluster.jar");
        if (!jar.isFile()) {
            throw new ConfigException("spark.master = " + master + ": executors run in other JVMs and need netslim's "
                    + "cluster jar, but " + jar + " does not exist: build it with 'mvn -B package -DskipTests', "
                    + "or launch through spark-submit (see submit/)");
        }
        return jar;
    }
}
