package io.netslim.train;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Locale;

/**
 * The averaging frequency sparsity training runs at ({@code train.averaging-frequency}) and where it came from:
 * configured, chosen by {@code auto} from measured rounds ({@link #choose}), or reused from the checkpoint a
 * resumed run continues (its chunks were cut at that frequency).
 *
 * @param setting  the configured value ("auto" or the integer)
 * @param source   configured, measured, checkpoint, or fallback (auto could not measure)
 * @param measured the probe's rounds (null unless source is measured)
 * @param cap      the largest frequency auto may choose (0 unless auto chose)
 */
public record AveragingFrequency(String setting, int frequency, String source, AveragingRound measured, int cap,
                                 String note) {
    /** Auto keeps communication at most this share of a round. */
    public static final double TARGET_COMM_SHARE = 0.10;
    /**
     * Auto never averages less often than this: replicas that train apart for long drift apart and their average
     * trains worse. A conservative bound, not a measured one.
     */
    public static final int MAX_FREQUENCY = 32;
    /** What auto falls back to when it cannot measure: the reference.conf default. */
    public static final int FALLBACK = 5;

    /**
     * The smallest frequency F with comm / (F x step + comm) at most {@link #TARGET_COMM_SHARE}, i.e.
     * F >= comm (1 - target) / (target x step), between 1 and {@code cap}.
     */
    public static int choose(double stepMs, double commMs, int cap) {
        int max = Math.max(1, cap);
        if (!(commMs > 0)) {
            return 1;
        }
        if (!(stepMs > 0)) {
            return max;
        }
        double f = commMs * (1 - TARGET_COMM_SHARE) / (TARGET_COMM_SHARE * stepMs);
        return (int) Math.max(1, Math.min(max, Math.ceil(f - 1e-9)));
    }

    /** Auto's cap for {@code minibatchesPerWorker} minibatches per worker in an epoch (a round never spans epochs). */
    public static int cap(long minibatchesPerWorker) {
        return (int) Math.max(1, Math.min(MAX_FREQUENCY, minibatchesPerWorker));
    }

    public static AveragingFrequency configured(int frequency) {
        return new AveragingFrequency(String.valueOf(frequency), frequency, "configured", null, 0, null);
    }

    /** Auto's choice from {@code round}, at most {@code cap}. */
    public static AveragingFrequency measured(AveragingRound round, int cap) {
        int f = choose(round.stepMs().median(), round.commMs().median(), cap);
        String note = f == cap && round.commShare(f) > TARGET_COMM_SHARE
                ? String.format(Locale.ROOT, "capped at %d: communication stays %.0f%% of a round", cap,
                100 * round.commShare(f)) : null;
        return new AveragingFrequency("auto", f, "measured", round, cap, note);
    }

    public static AveragingFrequency fromCheckpoint(int frequency) {
        return new AveragingFrequency("auto", frequency, "checkpoint", null, 0, null);
    }

    public static AveragingFrequency fallback(String why) {
        return new AveragingFrequency("auto", FALLBACK, "fallback", null, 0, why);
    }

    /** For report.json (stages.sparse.averaging). */
    public ObjectNode json() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("setting", setting).put("frequency", frequency).put("source", source);
        if (measured != null) {
            n.put("target_comm_share", TARGET_COMM_SHARE).put("cap", cap)
                    .put("compute_ms_per_minibatch", measured.stepMs().median())
                    .put("comm_ms_per_round", measured.commMs().median())
                    .put("expected_comm_share", measured.commShare(frequency));
            n.set("measured", measured.json());
        }
        if (note != null) {
            n.put("note", note);
        }
        return n;
    }

    /** One line for the log. */
    public String line() {
        return switch (source) {
            case "measured" -> String.format(Locale.ROOT, "averaging frequency auto: %s; chose %d (communication "
                            + "%.0f%% of a round, target at most %.0f%%, cap %d)%s", measured.line(), frequency,
                    100 * measured.commShare(frequency), 100 * TARGET_COMM_SHARE, cap, note == null ? "" : "; " + note);
            case "checkpoint" -> "averaging frequency auto: " + frequency + ", as chosen before the checkpoint this run "
                    + "resumes from";
            case "fallback" -> "averaging frequency auto: could not measure (" + note + "); using " + frequency;
            default -> "averaging frequency " + frequency;
        };
    }
}
