package io.netslim.pipeline;

import io.netslim.config.ConfigException;
import io.netslim.config.JobConfig;
import io.netslim.model.ModelRegistry;
import io.netslim.prune.DependencyGraph;
import io.netslim.prune.GlobalThreshold;
import io.netslim.prune.Importances;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks, before Spark starts, what typed config parsing cannot: that the model fits its depth, the
 * data folder exists and the output can be written. Reports every problem at once.
 */
public final class Preflight {
    private Preflight() {
    }

    public static void check(JobConfig cfg, String output, Configuration hadoop) {
        List<String> problems = new ArrayList<>();
        if (StartModel.isLoaded(cfg)) {
            String init = cfg.model().init();
            try {
                Path model = new Path(init);
                if (!model.getFileSystem(hadoop).isFile(model)) {
                    problems.add("model.init = '" + init + "': no such file (expected a DL4J model zip)");
                }
            } catch (IOException | IllegalArgumentException e) {
                problems.add("model.init = '" + init + "': cannot be read (" + e.getMessage() + ")");
            }
        } else {
            try {
                ModelRegistry.get(cfg.model().arch(), cfg.model().depth());
            } catch (ConfigException e) {
                problems.addAll(e.problems());
            }
        }
        try {
            Path data = new Path(cfg.data().path());
            FileSystem fs = data.getFileSystem(hadoop);
            if (!fs.exists(data)) {
                problems.add("data.path = '" + cfg.data().path() + "': does not exist");
            } else if (!fs.getFileStatus(data).isDirectory()) {
                problems.add("data.path = '" + cfg.data().path() + "': expected a directory");
            }
        } catch (IOException | IllegalArgumentException e) {
            problems.add("data.path = '" + cfg.data().path() + "': cannot be read (" + e.getMessage() + ")");
        }
        if (cfg.train().approach().equals("export")) {
            String problem = io.netslim.train.TrainingApproach.problem(hadoop);
            if (problem != null) {
                problems.add(problem);
            }
        }
        String why = unwritable(output, hadoop);
        if (why != null) {
            problems.add("output = '" + output + "': not writable (" + why + ")");
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
    }

    /**
     * Refuses, before any training, an unknown {@code prune.importance}, a network with nothing netslim can prune:
     * no BatchNorm, or every BatchNorm stopped by a vertex it cannot prune through (each named, with the reason);
     * and a pruning budget (prune.keep-flops, prune.keep-params) the per-layer rules cannot reach on it.
     */
    public static void checkPrunable(ComputationGraphConfiguration conf, JobConfig cfg, long[] inputShape) {
        Importances.create(cfg.prune().importance());
        DependencyGraph deps = DependencyGraph.of(conf, cfg.prune().channelSelection());
        if (!deps.groups().isEmpty()) {
            Budgets.of(cfg.prune(), inputShape).ifPresent(b -> b.checkReachable(conf, deps,
                    GlobalThreshold.of(cfg.prune(), cfg.prune().ratio())));
            return;
        }
        String model = StartModel.isLoaded(cfg) ? "model.init = '" + cfg.model().init() + "'"
                : "model.arch = '" + cfg.model().arch() + "'";
        if (deps.coupled().isEmpty()) {
            throw new ConfigException(model + ": nothing to prune: the network has no BatchNorm to score channels by");
        }
        List<String> problems = new ArrayList<>();
        problems.add(model + ": nothing to prune with prune.channel-selection = " + cfg.prune().channelSelection().key()
                + "; no BatchNorm's channels can be removed:");
        deps.coupled().forEach((bn, why) -> problems.add("  " + bn + ": " + why));
        throw new ConfigException(problems);
    }

    /** Why {@code output} cannot be written, or null when a probe file could be created there. */
    private static String unwritable(String output, Configuration hadoop) {
        try {
            Path root = new Path(output);
            FileSystem fs = root.getFileSystem(hadoop);
            if (fs.exists(root) && !fs.getFileStatus(root).isDirectory()) {
                return "it is a file";
            }
            Path probe = new Path(root, "_tmp/.write-probe");
            if (!fs.mkdirs(probe.getParent())) {
                return "cannot create folders there";
            }
            fs.create(probe, true).close();
            fs.delete(probe, false);
            return null;
        } catch (IOException | IllegalArgumentException e) {
            return e.getMessage();
        }
    }
}
