package io.netslim.train;

import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.MapSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

import java.util.Map;
import java.util.TreeMap;

/** The paper's learning-rate schedule: the base rate, divided by 10 at 50% and again at 75% of training. */
public record StepSchedule(double baseLr) {
    private static final double[] MILESTONES = {0.5, 0.75};

    /** The rate for an epoch (0-based) out of {@code epochs}, for training that changes rate per epoch. */
    public double forEpoch(int epoch, int epochs) {
        return at((double) epoch / epochs);
    }

    /** The rate at a fraction of training done. */
    public double at(double progress) {
        double lr = baseLr;
        for (double m : MILESTONES) {
            if (progress >= m) {
                lr /= 10;
            }
        }
        return lr;
    }

    /** The same schedule by iteration, for single-node DL4J fitting of {@code totalIterations}. */
    public ISchedule byIteration(int totalIterations) {
        Map<Integer, Double> values = new TreeMap<>();
        values.put(0, baseLr);
        for (double m : MILESTONES) {
            int at = (int) Math.ceil(m * totalIterations);
            if (at > 0) {
                values.put(at, at((double) at / totalIterations));
            }
        }
        return new MapSchedule(ScheduleType.ITERATION, values);
    }
}
