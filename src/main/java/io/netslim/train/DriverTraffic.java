package io.netslim.train;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerBlockUpdated;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.StageInfo;
import org.apache.spark.storage.BlockUpdatedInfo;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What passes through the driver while parameter averaging runs, from Spark's own events: the task-result bytes it
 * receives (task metrics' resultSize) per averaging-round job, and the bytes it stores as broadcast pieces (what
 * every executor fetches, from it or from one another). A round job is one netslim tagged with
 * {@link NetslimAveraging#ROUND_PROPERTY}, or one of DL4J's treeAggregate jobs.
 */
public final class DriverTraffic extends SparkListener implements AutoCloseable {
    private final JavaSparkContext sc;
    private final Map<Integer, Integer> stageJob = new HashMap<>();
    private final Map<Integer, Long> jobResultBytes = new HashMap<>();
    private final List<Integer> roundJobs = new ArrayList<>();
    private static final String MARKER = "netslim.traffic.marker";
    private final java.util.Set<Integer> markers = new java.util.HashSet<>();
    private final java.util.Set<Integer> endedJobs = new java.util.HashSet<>();
    private long broadcastBytes;

    private DriverTraffic(JavaSparkContext sc) {
        this.sc = sc;
    }

    /** Starts listening on {@code sc}; {@link #close} stops. */
    public static DriverTraffic listen(JavaSparkContext sc) {
        DriverTraffic t = new DriverTraffic(sc);
        sc.sc().addSparkListener(t);
        return t;
    }

    @Override
    public synchronized void onJobStart(SparkListenerJobStart job) {
        if (job.properties() != null && job.properties().getProperty(MARKER) != null) {
            markers.add(job.jobId());
            return;
        }
        boolean round = job.properties() != null && job.properties().getProperty(NetslimAveraging.ROUND_PROPERTY) != null;
        for (StageInfo stage : scala.collection.JavaConverters.seqAsJavaList(job.stageInfos())) {
            stageJob.put(stage.stageId(), job.jobId());
            round |= stage.name().startsWith("treeAggregate");
        }
        if (round) {
            roundJobs.add(job.jobId());
        }
        jobResultBytes.putIfAbsent(job.jobId(), 0L);
    }

    @Override
    public synchronized void onTaskEnd(SparkListenerTaskEnd task) {
        Integer job = stageJob.get(task.stageId());
        if (job != null && task.taskMetrics() != null) {
            jobResultBytes.merge(job, task.taskMetrics().resultSize(), Long::sum);
        }
    }

    @Override
    public synchronized void onJobEnd(SparkListenerJobEnd job) {
        endedJobs.add(job.jobId());
        notifyAll();
    }

    @Override
    public synchronized void onBlockUpdated(SparkListenerBlockUpdated update) {
        BlockUpdatedInfo info = update.blockUpdatedInfo();
        if (info.blockManagerId().isDriver() && info.blockId().isBroadcast() && info.blockId().name().contains("_piece")
                && info.storageLevel().isValid()) {
            broadcastBytes += info.memSize() + info.diskSize();
        }
    }

    /** Task-result bytes the driver received for each round job so far, in job order. */
    public synchronized List<Long> roundResultBytes() {
        return roundJobs.stream().map(j -> jobResultBytes.getOrDefault(j, 0L)).toList();
    }

    /** Bytes of broadcast pieces the driver stored so far. */
    public synchronized long broadcastBytes() {
        return broadcastBytes;
    }

    /**
     * Waits (at most 30 s) until Spark's listener bus, which delivers events in order but later, has delivered
     * everything up to now: runs a one-task marker job and waits for its end.
     */
    public void drain() {
        String before = sc.getLocalProperty(MARKER);
        sc.setLocalProperty(MARKER, "true");
        try {
            sc.parallelize(List.of(1), 1).count();
        } finally {
            sc.setLocalProperty(MARKER, before);
        }
        long until = System.currentTimeMillis() + 30_000;
        synchronized (this) {
            while (System.currentTimeMillis() < until && (markers.isEmpty() || !endedJobs.containsAll(markers))) {
                try {
                    wait(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        sc.sc().removeSparkListener(this);
    }
}
