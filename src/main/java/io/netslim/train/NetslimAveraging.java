package io.netslim.train;

import io.netslim.config.ConfigException;
import io.netslim.data.ShufflePlan;
import org.apache.spark.Partition;
import org.apache.spark.Partitioner;
import org.apache.spark.SparkException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction2;
import org.apache.spark.api.java.function.PairFlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.network.util.JavaUtils;
import org.apache.spark.rdd.PartitionCoalescer;
import org.apache.spark.rdd.PartitionGroup;
import org.apache.spark.rdd.RDD;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.CollectionAccumulator;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;
import scala.Tuple2;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * netslim's parameter averaging on Spark ({@code train.averaging = netslim}), with DL4J's semantics (every worker
 * trains {@code frequency} minibatches of its partition from the averaged state, then parameters and updater state
 * are averaged over the workers that trained, the score too, and the iteration count advances by the frequency)
 * but without the driver in the data path. The state moves as flat byte slices ({@link FlatState}): each round
 * is one Spark job of two stages. Worker k reads every slice of the last mean from the block managers that hold
 * it (the all-gather, a narrow dependency: {@link EverySlice}), writes it into a network its executor keeps
 * ({@link ReplicaPool}), trains and emits slice j of its state keyed (j, k) into Spark's shuffle; the task of
 * slice j sums the W contributions in worker order (the reduce-scatter; a run repeats bit for bit whatever the
 * arrival order) and keeps the mean in its executor's block manager, local-checkpointed, which cuts the
 * lineage. Each node moves about twice the state per round, whatever W; the driver broadcasts the state once
 * per fit and collects it once at the end, a few slices per job so that {@code spark.driver.maxResultSize} is
 * never the limit. A failed round job on a cluster (a lost executor whose blocks Spark cannot recompute)
 * restarts the fit from its start, which is the last checkpoint.
 */
public final class NetslimAveraging {
    private static final Logger LOG = LoggerFactory.getLogger(NetslimAveraging.class);
    /** A slice is at most this large unless more workers than that need one each. */
    static final long SLICE_BYTES = 16L << 20;
    /** The driver collects the averaged state in jobs of at most this many bytes (and half maxResultSize). */
    static final long COLLECT_BYTES = 256L << 20;
    /** Shuffle bytes written between two driver GCs, which let Spark's ContextCleaner delete old rounds' files. */
    static final long GC_BYTES = 1L << 30;
    /** Attempts of a fit on a cluster before its failure stops training. */
    static final int ATTEMPTS = 3;
    /** Spark local property naming the round of a job (for {@link DriverTraffic}). */
    public static final String ROUND_PROPERTY = "netslim.averaging.round";
    /** The name of every round's training stage in Spark's UI and event log. */
    public static final String TRAINING_STAGE = "netslim parameter averaging: training";

    private NetslimAveraging() {
    }

    /** What a fit did: the mean score of its last round, its rounds, and (when measured) their figures. */
    public record Fit(double score, int rounds, long stateBytes, int slices, double broadcastMs,
                      List<Round> measured) {
    }

    /** A measured round: its job's wall time on the driver, its training tasks and its slice sums. */
    public record Round(int index, double ms, List<TaskTimes> tasks, List<Double> sumMs) {
    }

    /**
     * A training task's figures: receiving and writing the averaged state into its network, building that network
     * (0 when one was kept from an earlier round), each minibatch step, and the whole task with the emission.
     */
    public record TaskTimes(int round, int worker, double fetchMs, double initMs, double[] stepMs, double taskMs)
            implements Serializable {
    }

    /** Slices for a state of {@code bytes} over {@code workers} workers: one per worker at least, at most 16 MiB. */
    static int slices(long bytes, int workers) {
        return (int) Math.max(workers, (bytes + SLICE_BYTES - 1) / SLICE_BYTES);
    }

    /**
     * Trains {@code net} in place on {@code minibatches} (one partition per worker), averaging every
     * {@code frequency} minibatches per worker; random draws from {@code seed}. {@code measure} records each
     * round's figures (a few bytes per task).
     */
    public static Fit fit(JavaSparkContext sc, ComputationGraph net, JavaRDD<DataSet> minibatches, int frequency,
                          long seed, boolean measure) {
        int workers = minibatches.getNumPartitions();
        FlatState layout = FlatState.of(net);
        int slices = slices(layout.bytes(), workers);
        long collectBytes = collectBytes(sc, layout, slices);
        JavaRDD<DataSet> data = minibatches.persist(StorageLevel.MEMORY_ONLY());
        Broadcast<Start> start = null;
        try {
            // read and cache every worker's minibatches first: rounds then time training, not reading
            sc.setJobDescription("netslim parameter averaging: reading the minibatches");
            List<Long> counts = data.mapPartitions(NetslimAveraging::count).collect();
            long most = counts.stream().mapToLong(Long::longValue).max().orElse(0);
            int rounds = (int) ((most + frequency - 1) / frequency);
            if (rounds == 0) {
                return new Fit(Double.NaN, 0, layout.bytes(), slices, 0, List.of());
            }
            long t0 = System.nanoTime();
            Start value = Start.of(net, layout, slices);
            start = sc.broadcast(value);
            double broadcastMs = (System.nanoTime() - t0) / 1e6;
            for (int attempt = 1; ; attempt++) {
                try {
                    return run(sc, net, data, start, layout, slices, workers, frequency, rounds, seed, measure,
                            collectBytes, broadcastMs);
                } catch (SparkException | RuntimeException e) {
                    if (sc.isLocal() || attempt >= ATTEMPTS || !(e instanceof SparkException
                            || e.getCause() instanceof SparkException)) {
                        throw e instanceof RuntimeException re ? re
                                : new IllegalStateException("parameter averaging failed: " + e.getMessage(), e);
                    }
                    LOG.warn("parameter averaging failed ({}); attempt {} of {} restarts from the last checkpoint",
                            e.toString(), attempt + 1, ATTEMPTS);
                    value.restore(net, layout, slices);
                }
            }
        } finally {
            sc.setJobDescription(null);
            sc.setLocalProperty(ROUND_PROPERTY, null);
            data.unpersist(false);
            if (start != null) {
                start.destroy();
            }
        }
    }

    private static Fit run(JavaSparkContext sc, ComputationGraph net, JavaRDD<DataSet> data, Broadcast<Start> start,
                           FlatState layout, int slices, int workers, int frequency, int rounds, long seed,
                           boolean measure, long collectBytes, double broadcastMs) throws SparkException {
        CollectionAccumulator<TaskTimes> times = measure ? sc.sc().collectionAccumulator("netslim round tasks") : null;
        CollectionAccumulator<double[]> sums = measure ? sc.sc().collectionAccumulator("netslim slice sums") : null;
        String key = replicaKey(sc, net);
        List<Round> measured = new ArrayList<>();
        JavaRDD<Tuple2<Integer, byte[]>> gathered = null;
        JavaPairRDD<Integer, byte[]> previous = null;
        long written = 0;
        try {
            for (int r = 0; r < rounds; r++) {
                TrainRound train = new TrainRound(start, layout, slices, workers, frequency, r, seed, key, times);
                sc.setCallSite(TRAINING_STAGE);
                JavaRDD<Tuple2<Integer, byte[]>> contributions = gathered == null
                        ? data.mapPartitions(batches -> train.call(batches, null))
                        // data first: Spark places a task where the first narrow parent's block is cached
                        : data.zipPartitions(gathered, train);
                sc.clearCallSite();
                JavaPairRDD<Integer, byte[]> averaged = JavaPairRDD.fromJavaRDD(contributions)
                        .partitionBy(new KeyDivider(slices, workers))
                        .mapPartitionsToPair(new SliceMean(layout, workers, r, sums));
                averaged.rdd().localCheckpoint();
                sc.setJobDescription("netslim parameter averaging: round " + (r + 1) + " of " + rounds);
                sc.setLocalProperty(ROUND_PROPERTY, String.valueOf(r));
                int done = times == null ? 0 : times.value().size();
                int summed = sums == null ? 0 : sums.value().size();
                long t0 = System.nanoTime();
                averaged.count();
                double ms = (System.nanoTime() - t0) / 1e6;
                if (measure) {
                    List<TaskTimes> tasks = new ArrayList<>(times.value().subList(done, times.value().size()));
                    List<Double> sumMs = sums.value().subList(summed, sums.value().size()).stream()
                            .map(s -> s[1]).toList();
                    measured.add(new Round(r, ms, tasks, sumMs));
                }
                if (previous != null) {
                    previous.unpersist(false); // its all-gather ran in this round's job
                }
                previous = averaged;
                gathered = averaged.rdd().coalesce(workers, false, Option.apply(new EverySlice(workers)), null)
                        .toJavaRDD();
                written += workers * layout.bytes();
                if (written >= GC_BYTES) { // old rounds' RDDs become unreachable: Spark then deletes their shuffles
                    System.gc();
                    written = 0;
                }
            }
            sc.setLocalProperty(ROUND_PROPERTY, null);
            sc.setJobDescription("netslim parameter averaging: the averaged state to the driver");
            double score = collect(previous, net, layout, slices, collectBytes);
            ComputationGraphConfiguration conf = net.getConfiguration();
            conf.setIterationCount(conf.getIterationCount() + rounds * frequency);
            return new Fit(score, rounds, layout.bytes(), slices, broadcastMs, measured);
        } finally {
            if (previous != null) {
                previous.unpersist(false);
            }
        }
    }

    /** Writes the averaged state into {@code net}, a few slices per job; returns the averaged score. */
    private static double collect(JavaPairRDD<Integer, byte[]> averaged, ComputationGraph net, FlatState layout,
                                  int slices, long collectBytes) {
        double score = Double.NaN;
        int perJob = (int) Math.max(1, collectBytes / Math.max(1, layout.bytes() / slices + layout.width));
        for (int first = 0; first < slices; first += perJob) {
            int[] ids = java.util.stream.IntStream.range(first, Math.min(slices, first + perJob)).toArray();
            for (List<Tuple2<Integer, byte[]>> part : averaged.collectPartitions(ids)) {
                for (Tuple2<Integer, byte[]> slice : part) {
                    long from = layout.sliceStart(slice._1, slices);
                    layout.write(net, from, slice._2);
                    double s = layout.scoreOf(from, slice._2);
                    if (!Double.isNaN(s)) {
                        score = s;
                    }
                }
            }
        }
        return score;
    }

    /** Bytes per collect job: {@link #COLLECT_BYTES}, at most half of spark.driver.maxResultSize (0 = no limit). */
    private static long collectBytes(JavaSparkContext sc, FlatState layout, int slices) {
        String setting = sc.getConf().get("spark.driver.maxResultSize", "1g");
        long max = JavaUtils.byteStringAsBytes(setting);
        long slice = (layout.bytes() + slices - 1) / slices;
        if (max > 0 && slice * 2 > max) {
            throw new ConfigException("spark.driver.maxResultSize = " + setting + ": train.averaging = netslim "
                    + "collects the averaged state in slices of " + slice + " bytes and needs at least twice that "
                    + "(Spark's default 1g is enough for any model)");
        }
        return max > 0 ? Math.min(COLLECT_BYTES, max / 2) : COLLECT_BYTES;
    }

    /**
     * Names the kept networks of this application and configuration, whatever its iteration and epoch counts
     * (set by every task), so that a fit reuses the networks of the one before when only those changed.
     */
    private static String replicaKey(JavaSparkContext sc, ComputationGraph net) {
        ComputationGraphConfiguration conf = net.getConfiguration().clone();
        conf.setIterationCount(0);
        conf.setEpochCount(0);
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(conf.toJson().getBytes(StandardCharsets.UTF_8));
            return sc.sc().applicationId() + "/" + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Iterator<Long> count(Iterator<DataSet> batches) {
        long n = 0;
        while (batches.hasNext()) {
            batches.next();
            n++;
        }
        return List.of(n).iterator();
    }

    /** The broadcast of a fit: the network's configuration, iteration and epoch counts, and its state in slices. */
    static final class Start implements Serializable {
        private static final long serialVersionUID = 1L;
        String json;
        int iteration;
        int epoch;
        byte[][] slices;

        static Start of(ComputationGraph net, FlatState layout, int slices) {
            Start s = new Start();
            s.json = net.getConfiguration().toJson();
            s.iteration = net.getConfiguration().getIterationCount();
            s.epoch = net.getConfiguration().getEpochCount();
            s.slices = new byte[slices][];
            for (int j = 0; j < slices; j++) {
                s.slices[j] = layout.read(net, layout.sliceStart(j, slices), layout.sliceLength(j, slices), Double.NaN);
            }
            return s;
        }

        /** Puts the state this fit started from back into {@code net}. */
        void restore(ComputationGraph net, FlatState layout, int count) {
            for (int j = 0; j < count; j++) {
                layout.write(net, layout.sliceStart(j, count), slices[j]);
            }
        }
    }

    /** Partition of an integer key: the key divided by {@code divisor}. */
    static final class KeyDivider extends Partitioner {
        private static final long serialVersionUID = 1L;
        private final int partitions;
        private final int divisor;

        KeyDivider(int partitions, int divisor) {
            this.partitions = partitions;
            this.divisor = divisor;
        }

        @Override
        public int numPartitions() {
            return partitions;
        }

        @Override
        public int getPartition(Object key) {
            return (Integer) key / divisor;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof KeyDivider k && k.partitions == partitions && k.divisor == divisor;
        }

        @Override
        public int hashCode() {
            return partitions * 31 + divisor;
        }
    }

    /**
     * Worker k's part of a round: the averaged state (from the all-gather, or the broadcast in round 0) written
     * into a kept network, its minibatches of the round trained, its state emitted as slices keyed
     * {@code j * workers + k}. A worker with no minibatch left emits nothing and takes no part in the mean.
     */
    static final class TrainRound implements FlatMapFunction2<Iterator<DataSet>, Iterator<Tuple2<Integer, byte[]>>,
            Tuple2<Integer, byte[]>> {
        private static final long serialVersionUID = 1L;
        private final Broadcast<Start> start;
        private final FlatState layout;
        private final int slices;
        private final int workers;
        private final int frequency;
        private final int round;
        private final long seed;
        private final String key;
        private final CollectionAccumulator<TaskTimes> times;

        TrainRound(Broadcast<Start> start, FlatState layout, int slices, int workers, int frequency, int round,
                   long seed, String key, CollectionAccumulator<TaskTimes> times) {
            this.start = start;
            this.layout = layout;
            this.slices = slices;
            this.workers = workers;
            this.frequency = frequency;
            this.round = round;
            this.seed = seed;
            this.key = key;
            this.times = times;
        }

        @Override
        public Iterator<Tuple2<Integer, byte[]>> call(Iterator<DataSet> data,
                                                      Iterator<Tuple2<Integer, byte[]>> state) {
            long t0 = System.nanoTime();
            int worker = TaskContext.getPartitionId();
            List<DataSet> batches = new ArrayList<>(frequency);
            for (long i = 0; data.hasNext() && i < (long) (round + 1) * frequency; i++) {
                DataSet next = data.next();
                if (i >= (long) round * frequency) {
                    batches.add(next);
                }
            }
            if (batches.isEmpty()) {
                return Collections.emptyIterator();
            }
            Start s = start.value();
            long tInit = System.nanoTime();
            ReplicaPool.Borrowed borrowed = ReplicaPool.borrow(key, s.json);
            ComputationGraph net = borrowed.net();
            double initMs = borrowed.built() ? (System.nanoTime() - tInit) / 1e6 : 0;
            boolean[] returned = {false};
            Runnable giveBack = () -> {
                if (!returned[0]) {
                    returned[0] = true;
                    ReplicaPool.giveBack(key, net);
                }
            };
            TaskContext.get().addTaskCompletionListener((org.apache.spark.util.TaskCompletionListener) ctx -> giveBack.run());
            long tFetch = System.nanoTime();
            if (state == null) {
                s.restore(net, layout, slices);
            } else {
                boolean[] seen = new boolean[slices];
                int count = 0;
                while (state.hasNext()) {
                    Tuple2<Integer, byte[]> slice = state.next();
                    int j = slice._1; // the averaged state is keyed by slice
                    layout.write(net, layout.sliceStart(j, slices), slice._2);
                    if (!seen[j]) {
                        seen[j] = true;
                        count++;
                    }
                }
                if (count != slices) {
                    throw new IllegalStateException("round " + (round + 1) + ", worker " + worker + ": received "
                            + count + " of " + slices + " slices of the averaged state");
                }
            }
            double fetchMs = (System.nanoTime() - tFetch) / 1e6;
            net.getConfiguration().setIterationCount(s.iteration + round * frequency);
            net.getConfiguration().setEpochCount(s.epoch);
            Nd4j.getRandom().setSeed(ShufflePlan.mix(ShufflePlan.mix(seed, round), worker));
            double[] stepMs = new double[batches.size()];
            for (int i = 0; i < batches.size(); i++) {
                long t = System.nanoTime();
                net.fit(batches.get(i));
                Nd4j.getExecutioner().commit();
                stepMs[i] = (System.nanoTime() - t) / 1e6;
            }
            double score = net.score();
            return new Iterator<>() {
                private int j;

                @Override
                public boolean hasNext() {
                    return j < slices;
                }

                @Override
                public Tuple2<Integer, byte[]> next() {
                    if (j >= slices) {
                        throw new NoSuchElementException();
                    }
                    byte[] bytes = layout.read(net, layout.sliceStart(j, slices), layout.sliceLength(j, slices), score);
                    Tuple2<Integer, byte[]> out = new Tuple2<>(j * workers + worker, bytes);
                    if (++j == slices) {
                        giveBack.run();
                        if (times != null) {
                            times.add(new TaskTimes(round, worker, fetchMs, initMs, stepMs,
                                    (System.nanoTime() - t0) / 1e6));
                        }
                    }
                    return out;
                }
            };
        }
    }

    /** The task of slice j: the mean of the workers' slice j, summed in worker order. */
    static final class SliceMean implements PairFlatMapFunction<Iterator<Tuple2<Integer, byte[]>>, Integer, byte[]> {
        private static final long serialVersionUID = 1L;
        private final FlatState layout;
        private final int workers;
        private final int round;
        private final CollectionAccumulator<double[]> sums;

        SliceMean(FlatState layout, int workers, int round, CollectionAccumulator<double[]> sums) {
            this.layout = layout;
            this.workers = workers;
            this.round = round;
            this.sums = sums;
        }

        @Override
        public Iterator<Tuple2<Integer, byte[]>> call(Iterator<Tuple2<Integer, byte[]>> contributions) {
            long t0 = System.nanoTime();
            byte[][] parts = new byte[workers][];
            int slice = -1;
            while (contributions.hasNext()) {
                Tuple2<Integer, byte[]> c = contributions.next();
                slice = c._1 / workers;
                parts[c._1 % workers] = c._2;
            }
            if (slice < 0) {
                return Collections.emptyIterator();
            }
            Tuple2<Integer, byte[]> mean = new Tuple2<>(slice, layout.mean(parts));
            if (sums != null) {
                sums.add(new double[] {round, (System.nanoTime() - t0) / 1e6});
            }
            return List.of(mean).iterator();
        }
    }

    /**
     * The all-gather as a narrow dependency: each of the {@code workers} partitions reads every slice of the
     * averaged state, in slice order, from the block manager that holds it, inside the training stage itself.
     */
    static final class EverySlice implements PartitionCoalescer, scala.Serializable { // Spark checks Scala's
        private static final long serialVersionUID = 1L;
        private final int workers;

        EverySlice(int workers) {
            this.workers = workers;
        }

        @Override
        public PartitionGroup[] coalesce(int maxPartitions, RDD<?> parent) {
            PartitionGroup[] groups = new PartitionGroup[workers];
            for (int k = 0; k < workers; k++) {
                groups[k] = new PartitionGroup(Option.empty());
                for (Partition slice : parent.partitions()) {
                    groups[k].partitions().$plus$eq(slice);
                }
            }
            return groups;
        }
    }
}
