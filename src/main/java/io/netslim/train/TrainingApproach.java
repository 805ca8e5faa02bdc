package io.netslim.train;

import io.netslim.config.ConfigException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;

/**
 * How DL4J feeds minibatches to the workers ({@code train.approach}): Direct trains from the cached RDD;
 * Export first writes each epoch's minibatches as files to the default file system (HDFS) and trains from
 * those, so a lost executor's work is re-read rather than recomputed. "auto" exports when the default file
 * system is HDFS. Exported files go to {@code <fs.defaultFS>/tmp/netslim-export/<application id>} and are
 * removed after every fit and at the end.
 */
public final class TrainingApproach {
    private static final Logger LOG = LoggerFactory.getLogger(TrainingApproach.class);

    private final RDDTrainingApproach approach;
    private final String exportDirectory;

    private TrainingApproach(RDDTrainingApproach approach, String exportDirectory) {
        this.approach = approach;
        this.exportDirectory = exportDirectory;
    }

    /** The approach for {@code setting} ("auto", "direct", "export") given the job's Hadoop configuration. */
    public static TrainingApproach resolve(String setting, Configuration hadoop, String applicationId) {
        URI defaultFs = FileSystem.getDefaultUri(hadoop);
        boolean distributed = defaultFs.getScheme() != null && !defaultFs.getScheme().equals("file");
        return switch (setting) {
            case "direct" -> new TrainingApproach(RDDTrainingApproach.Direct, null);
            case "auto" -> distributed && "hdfs".equals(defaultFs.getScheme())
                    ? export(defaultFs, applicationId) : new TrainingApproach(RDDTrainingApproach.Direct, null);
            case "export" -> {
                if (!distributed) {
                    throw new ConfigException(problem(defaultFs));
                }
                yield export(defaultFs, applicationId);
            }
            default -> throw new ConfigException("train.approach = '" + setting + "': expected auto, direct or export");
        };
    }

    /** Why "export" cannot work with this Hadoop configuration, or null when it can. */
    public static String problem(Configuration hadoop) {
        URI fs = FileSystem.getDefaultUri(hadoop);
        return fs.getScheme() == null || fs.getScheme().equals("file") ? problem(fs) : null;
    }

    private static String problem(URI defaultFs) {
        return "train.approach = export: needs a distributed default file system for the exported minibatches, "
                + "but fs.defaultFS is " + defaultFs + " (set spark.conf.\"spark.hadoop.fs.defaultFS\" = "
                + "\"hdfs://...\", or use auto or direct)";
    }

    private static TrainingApproach export(URI defaultFs, String applicationId) {
        String root = defaultFs.toString().replaceAll("/+$", "");
        return new TrainingApproach(RDDTrainingApproach.Export, root + "/tmp/netslim-export/" + applicationId);
    }

    public RDDTrainingApproach dl4j() {
        return approach;
    }

    /** Where Export writes minibatches (null for Direct). */
    public String exportDirectory() {
        return exportDirectory;
    }

    public String name() {
        return approach == RDDTrainingApproach.Export ? "export" : "direct";
    }

    /** Removes the export folder, if any; a failure is logged, never fatal (the files are only a cache). */
    public void cleanUp(Configuration hadoop) {
        if (exportDirectory == null) {
            return;
        }
        try {
            Path dir = new Path(exportDirectory);
            FileSystem fs = dir.getFileSystem(hadoop);
            fs.delete(dir, true);
            if (fs.listStatus(dir.getParent()).length == 0) { // the last job out removes tmp/netslim-export
                fs.delete(dir.getParent(), false);
            }
            LOG.info("removed exported minibatches in {}", exportDirectory);
        } catch (IOException e) {
            LOG.warn("could not remove exported minibatches in {}: {}", exportDirectory, e.toString());
        }
    }

    @Override
    public String toString() {
        return approach == RDDTrainingApproach.Export ? "export (minibatches written to " + exportDirectory + ")"
                : "direct (minibatches cached in executor memory)";
    }
}
