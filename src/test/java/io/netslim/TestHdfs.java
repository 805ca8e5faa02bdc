package io.netslim;

import io.netslim.config.JobConfig;
import io.netslim.train.SparkContexts;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.api.java.JavaSparkContext;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** The in-process HDFS and Spark local[2] that tests read and write through, listening on 127.0.0.1 only. */
public final class TestHdfs {
    private TestHdfs() {
    }

    /** A one-DataNode MiniDFSCluster keeping its blocks under {@code base}, up and ready. */
    public static MiniDFSCluster start(Path base) throws IOException {
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, base.toString());
        conf.set("dfs.namenode.http-address", "127.0.0.1:0");
        conf.set("dfs.datanode.address", "127.0.0.1:0");
        conf.set("dfs.datanode.http.address", "127.0.0.1:0");
        conf.set("dfs.datanode.ipc.address", "127.0.0.1:0");
        MiniDFSCluster hdfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        hdfs.waitActive();
        return hdfs;
    }

    /** Spark local[2] as the job configures it (Kryo with ND4J's registrator, 127.0.0.1), without its UI. */
    public static JavaSparkContext localSpark(String appName) {
        return SparkContexts.create(new JobConfig.SparkSettings("local[2]", appName, Map.of("spark.ui.enabled", "false")));
    }
}
