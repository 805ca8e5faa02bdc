package io.netslim.train;

import io.netslim.runtime.ThreadBudget;
import org.apache.spark.SparkConf;
import org.apache.spark.api.plugin.DriverPlugin;
import org.apache.spark.api.plugin.ExecutorPlugin;
import org.apache.spark.api.plugin.PluginContext;
import org.apache.spark.api.plugin.SparkPlugin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Spark plugin (spark.plugins) that gives every task its share of the executor's cores ({@link ThreadBudget}):
 * the executor's cores divided among the tasks it runs at once. Without it each of local[2]'s two tasks ran its
 * kernels on all cores.
 */
public final class TaskThreads implements SparkPlugin {
    private static final Logger LOG = LoggerFactory.getLogger(TaskThreads.class);
    private static final Pattern LOCAL = Pattern.compile("local(?:\\[(\\*|\\d+)(?:,\\s*\\d+)?])?");

    @Override
    public DriverPlugin driverPlugin() {
        return null;
    }

    @Override
    public ExecutorPlugin executorPlugin() {
        return new ExecutorPlugin() {
            private int threads;

            @Override
            public void init(PluginContext ctx, Map<String, String> extraConf) {
                threads = perTask(ctx.conf(), Runtime.getRuntime().availableProcessors());
                LOG.info("executor {}: each task's kernels use {} thread(s)", ctx.executorID(), threads);
            }

            @Override
            public void onTaskStart() {
                ThreadBudget.limit(threads);
            }
        };
    }

    /**
     * Threads per task: the executor's cores (local[N]: this machine's; a cluster: spark.executor.cores, else
     * every core) divided by the tasks running at once (local[N]: N; a cluster: cores / spark.task.cpus), at
     * least 1.
     */
    static int perTask(SparkConf conf, int processors) {
        String master = conf.get("spark.master", "");
        Matcher local = LOCAL.matcher(master);
        int cores;
        int slots;
        if (local.matches()) {
            cores = processors;
            String n = local.group(1);
            slots = n == null ? 1 : n.equals("*") ? processors : Integer.parseInt(n);
        } else {
            cores = Math.min(processors, conf.getInt("spark.executor.cores", processors));
            slots = Math.max(1, cores / Math.max(1, conf.getInt("spark.task.cpus", 1)));
        }
        return Math.max(1, cores / Math.max(1, slots));
    }
}
