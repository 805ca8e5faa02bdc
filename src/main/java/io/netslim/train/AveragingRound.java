package io.netslim.train;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.stats.CommonSparkTrainingStats;
import org.deeplearning4j.spark.api.stats.SparkTrainingStats;
import org.deeplearning4j.spark.impl.paramavg.stats.ParameterAveragingTrainingMasterStats;
import org.deeplearning4j.spark.impl.paramavg.stats.ParameterAveragingTrainingWorkerStats;
import org.deeplearning4j.spark.stats.EventStats;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What one parameter-averaging round costs, from DL4J's training statistics of a few rounds: the bytes of
 * parameters and updater state that travel (broadcast to every worker, every worker's copy back), the driver's
 * time creating the broadcast and averaging, the treeAggregate job, the workers' fetch of the broadcast, and
 * their compute per minibatch. Medians and ranges over the measured rounds; per-worker figures are the slowest
 * worker's of each round (the round waits for it). {@code commMs} is everything in a
 * round that is not steady compute: round time minus {@code frequency} x the median step.
 * {@code driverResultBytes}: task-result bytes the driver received per round job; {@code broadcastBytes}: bytes the
 * driver broadcast over the measured fit divided by its rounds (DL4J broadcasts every round, netslim once a fit).
 */
public record AveragingRound(int workers, int frequency, int rounds, long paramBytes, long updaterBytes,
                             Figure roundMs, Figure broadcastMs, Figure aggregateMs, Figure averageMs,
                             Figure workerFetchMs, Figure workerInitMs, Figure workerTaskMs, Figure stepMs,
                             Figure firstStepMs,
                             Figure commMs, String master, Figure driverResultBytes, double broadcastBytes) {

    /** A measured figure over rounds: median and range. */
    public record Figure(double median, double min, double max) {
        static Figure of(List<Double> values) {
            if (values.isEmpty()) {
                return new Figure(Double.NaN, Double.NaN, Double.NaN);
            }
            double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            double median = v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
            return new Figure(median, v[0], v[v.length - 1]);
        }

        ObjectNode json() {
            return JsonNodeFactory.instance.objectNode().put("median", median).put("min", min).put("max", max);
        }
    }

    /** Parameters plus updater state: what is broadcast to each worker and what each worker sends back. */
    public long stateBytes() {
        return paramBytes + updaterBytes;
    }

    /** Bytes a round moves: the state to each of the workers and each worker's state back. */
    public long bytesPerRound() {
        return 2L * workers * stateBytes();
    }

    /** Driver time per round outside the workers' job (median): creating the broadcast plus averaging. */
    public double driverMs() {
        return broadcastMs.median + averageMs.median;
    }

    /** Compute of a round at {@code f} minibatches per worker, from the median step. */
    public double computeMs(int f) {
        return f * stepMs.median;
    }

    /** The share of a round spent communicating at averaging frequency {@code f}. */
    public double commShare(int f) {
        return commMs.median / (computeMs(f) + commMs.median);
    }

    /**
     * The costs of the rounds in {@code stats} (DL4J's, collected with collectTrainingStats) of a fit of
     * {@code net} on {@code workers} workers averaging every {@code frequency} minibatches; the first
     * {@code warmupRounds} rounds (JIT, first broadcast, executor start-up) are left out when later ones exist.
     */
    public static AveragingRound of(SparkTrainingStats stats, ComputationGraph net, int workers, int frequency,
                                    int warmupRounds, DriverTraffic traffic) {
        if (!(stats instanceof ParameterAveragingTrainingMasterStats master)) {
            throw new IllegalArgumentException("expected parameter averaging statistics, got "
                    + (stats == null ? "none" : stats.getClass().getName()));
        }
        List<EventStats> rounds = list(master.getParameterAveragingMasterMapPartitionsTimesMs());
        List<EventStats> broadcasts = list(master.getParameterAveragingMasterBroadcastCreateTimesMs());
        List<EventStats> aggregates = list(master.getParamaterAveragingMasterAggregateTimesMs());
        List<EventStats> averages = list(master.getParameterAveragingMasterProcessParamsUpdaterTimesMs());
        // Workers' statistics: DL4J's common ones (task, minibatch times) around parameter averaging's own
        // (broadcast fetch, network rebuild, fit times).
        SparkTrainingStats workerStats = master.getWorkerStats();
        CommonSparkTrainingStats common = workerStats instanceof CommonSparkTrainingStats c ? c : null;
        SparkTrainingStats specific = common != null ? common.getTrainingWorkerSpecificStats() : workerStats;
        ParameterAveragingTrainingWorkerStats worker = specific instanceof ParameterAveragingTrainingWorkerStats w ? w : null;
        List<EventStats> fetches = worker == null ? List.of() : list(worker.getParameterAveragingWorkerBroadcastGetValueTimeMs());
        List<EventStats> inits = worker == null ? List.of() : list(worker.getParameterAveragingWorkerInitTimeMs());
        List<EventStats> fits = worker == null ? List.of() : list(worker.getParameterAveragingWorkerFitTimesMs());
        if (fits.isEmpty() && common != null) {
            fits = list(common.getWorkerFlatMapProcessMiniBatchTimesMs());
        }
        List<EventStats> tasks = common == null ? List.of() : list(common.getWorkerFlatMapTotalTimeMs());
        if (rounds.isEmpty() || fits.isEmpty()) {
            throw new IllegalStateException("DL4J recorded " + rounds.size() + " averaging rounds and " + fits.size()
                    + " worker steps (worker statistics: " + (master.getWorkerStats() == null ? "none"
                    : master.getWorkerStats().getClass().getSimpleName()) + ")");
        }
        int skip = rounds.size() > warmupRounds ? warmupRounds : 0;
        long[] starts = rounds.stream().mapToLong(EventStats::getStartTime).toArray();
        // Steps by (round, worker thread), in start order: the first step of a round follows the network's
        // rebuild from the broadcast and counts apart (its excess is a per-round cost, like communication).
        Map<String, List<EventStats>> byTask = new LinkedHashMap<>();
        for (EventStats f : fits) {
            int r = roundOf(starts, f.getStartTime());
            if (r >= skip) {
                byTask.computeIfAbsent(r + "/" + f.getMachineID() + "/" + f.getJvmID() + "/" + f.getThreadID(),
                        k -> new ArrayList<>()).add(f);
            }
        }
        List<Double> steps = new ArrayList<>();
        List<Double> firsts = new ArrayList<>();
        for (List<EventStats> task : byTask.values()) {
            task.sort(Comparator.comparingLong(EventStats::getStartTime));
            firsts.add((double) task.get(0).getDurationMs());
            task.stream().skip(1).forEach(f -> steps.add((double) f.getDurationMs()));
        }
        Figure step = Figure.of(steps.isEmpty() ? firsts : steps); // one step per round: no steady step to tell apart
        List<Double> roundMs = durations(rounds, skip);
        List<Double> comm = roundMs.stream().map(ms -> Math.max(0, ms - frequency * step.median)).toList();
        return new AveragingRound(workers, frequency, roundMs.size(), bytes(net.params().length(), net),
                updaterBytes(net),
                Figure.of(roundMs), Figure.of(durations(broadcasts, skip)), Figure.of(durations(aggregates, skip)),
                Figure.of(durations(averages, skip)), Figure.of(slowestPerRound(fetches, starts, skip)),
                Figure.of(slowestPerRound(inits, starts, skip)), Figure.of(slowestPerRound(tasks, starts, skip)), step,
                Figure.of(firsts), Figure.of(comm), "dl4j", resultBytes(traffic, skip),
                (double) traffic.broadcastBytes() / rounds.size());
    }

    /**
     * The costs of the rounds of a measured netslim fit ({@link NetslimAveraging#fit} with measure on) of
     * {@code net} on {@code workers} workers at {@code frequency}; per-worker figures are each round's slowest.
     * Its driver does no averaging (0) and broadcasts once per fit ({@code broadcastMs} is that one broadcast).
     */
    public static AveragingRound of(NetslimAveraging.Fit fit, ComputationGraph net, int workers, int frequency,
                                    int warmupRounds, DriverTraffic traffic) {
        List<NetslimAveraging.Round> all = fit.measured();
        if (all.isEmpty()) {
            throw new IllegalStateException("no averaging round was measured");
        }
        int skip = all.size() > warmupRounds ? warmupRounds : 0;
        List<NetslimAveraging.Round> rounds = all.subList(skip, all.size());
        List<Double> steps = new ArrayList<>();
        List<Double> firsts = new ArrayList<>();
        List<Double> fetch = new ArrayList<>();
        List<Double> init = new ArrayList<>();
        List<Double> task = new ArrayList<>();
        List<Double> sums = new ArrayList<>();
        for (NetslimAveraging.Round r : rounds) {
            fetch.add(r.tasks().stream().mapToDouble(NetslimAveraging.TaskTimes::fetchMs).max().orElse(0));
            init.add(r.tasks().stream().mapToDouble(NetslimAveraging.TaskTimes::initMs).max().orElse(0));
            task.add(r.tasks().stream().mapToDouble(NetslimAveraging.TaskTimes::taskMs).max().orElse(0));
            sums.add(r.sumMs().stream().mapToDouble(Double::doubleValue).max().orElse(0));
            for (NetslimAveraging.TaskTimes t : r.tasks()) {
                firsts.add(t.stepMs()[0]);
                for (int i = 1; i < t.stepMs().length; i++) {
                    steps.add(t.stepMs()[i]);
                }
            }
        }
        Figure step = Figure.of(steps.isEmpty() ? firsts : steps);
        List<Double> roundMs = rounds.stream().map(NetslimAveraging.Round::ms).toList();
        List<Double> comm = roundMs.stream().map(ms -> Math.max(0, ms - frequency * step.median)).toList();
        Figure zero = new Figure(0, 0, 0);
        return new AveragingRound(workers, frequency, roundMs.size(), bytes(net.params().length(), net), updaterBytes(net),
                Figure.of(roundMs), Figure.of(List.of(fit.broadcastMs())), Figure.of(sums), zero, Figure.of(fetch),
                Figure.of(init), Figure.of(task), step, Figure.of(firsts), Figure.of(comm), "netslim",
                resultBytes(traffic, skip), (double) traffic.broadcastBytes() / all.size());
    }

    /** Task-result bytes of the round jobs {@code traffic} saw, the first {@code skip} left out. */
    private static Figure resultBytes(DriverTraffic traffic, int skip) {
        List<Long> bytes = traffic.roundResultBytes();
        return Figure.of(bytes.stream().skip(bytes.size() > skip ? skip : 0).map(Long::doubleValue).toList());
    }

    private static long updaterBytes(ComputationGraph net) {
        return net.getUpdater() == null || net.getUpdater().getStateViewArray() == null ? 0
                : bytes(net.getUpdater().getStateViewArray().length(), net);
    }

    private static long bytes(long elements, ComputationGraph net) {
        return elements * net.params().dataType().width();
    }

    private static List<EventStats> list(List<EventStats> events) {
        return events == null ? List.of() : events;
    }

    private static List<Double> durations(List<EventStats> events, int skip) {
        return events.stream().skip(skip).map(e -> (double) e.getDurationMs()).toList();
    }

    /** The round (index into {@code starts}, ascending) an event that started at {@code t} belongs to. */
    private static int roundOf(long[] starts, long t) {
        int i = Arrays.binarySearch(starts, t);
        return i >= 0 ? i : Math.max(0, -i - 2);
    }

    /** Per measured round, the slowest worker's duration of {@code events} (workers wait for the slowest). */
    private static List<Double> slowestPerRound(List<EventStats> events, long[] starts, int skip) {
        double[] max = new double[starts.length];
        Arrays.fill(max, -1);
        for (EventStats e : events) {
            int r = roundOf(starts, e.getStartTime());
            max[r] = Math.max(max[r], e.getDurationMs());
        }
        List<Double> out = new ArrayList<>();
        for (int r = skip; r < max.length; r++) {
            if (max[r] >= 0) {
                out.add(max[r]);
            }
        }
        return out;
    }

    public ObjectNode json() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("master", master).put("workers", workers).put("frequency", frequency).put("rounds", rounds)
                .put("param_bytes", paramBytes).put("updater_bytes", updaterBytes).put("state_bytes", stateBytes())
                .put("bytes_per_round", bytesPerRound()).put("driver_ms", driverMs());
        n.set("round_ms", roundMs.json());
        n.set("comm_ms", commMs.json());
        n.set("step_ms", stepMs.json());
        n.set("first_step_ms", firstStepMs.json());
        n.set("broadcast_ms", broadcastMs.json());
        n.set("aggregate_ms", aggregateMs.json());
        n.set("average_ms", averageMs.json());
        n.set("worker_fetch_ms", workerFetchMs.json());
        n.set("worker_init_ms", workerInitMs.json());
        n.set("worker_task_ms", workerTaskMs.json());
        n.put("comm_share", commShare(frequency));
        n.set("driver_result_bytes", driverResultBytes.json());
        n.put("broadcast_bytes", broadcastBytes);
        return n;
    }

    /** One line for the log. */
    public String line() {
        return String.format(Locale.ROOT, "%d rounds of %s averaging at %d minibatch(es) per worker on %d workers: "
                        + "step %.0f ms, round %.0f ms, communication %.0f ms (%.0f%%; %.1f MB of parameters and updater "
                        + "state per worker; driver received %.0f KB of task results per round)", rounds, master,
                frequency, workers, stepMs.median, roundMs.median, commMs.median, 100 * commShare(frequency),
                stateBytes() / 1e6, driverResultBytes.median / 1e3);
    }
}
