package io.netslim.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ISchedule;

import java.util.Map;
import java.util.Objects;

/**
 * SGD with plain (heavy-ball) momentum, as the paper's PyTorch code trains: v = momentum * v + g, w -= lr * v.
 * DL4J has no such updater (its momentum one, Nesterovs, is Nesterov's); {@code train.nesterov} chooses.
 */
public final class Momentum implements IUpdater {
    private double learningRate;
    private ISchedule learningRateSchedule;
    private double momentum;

    /** For DL4J's JSON configuration reader. */
    public Momentum() {
    }

    public Momentum(double learningRate, double momentum) {
        this.learningRate = learningRate;
        this.momentum = momentum;
    }

    public double getMomentum() {
        return momentum;
    }

    /**
     * DL4J's nearest stock updater (Nesterov's, same rate and momentum), for saved models: a zip must load in plain
     * DL4J, which has no plain momentum; netslim gives every network it trains its configured updater again.
     */
    public IUpdater stock() {
        org.nd4j.linalg.learning.config.Nesterovs n = new org.nd4j.linalg.learning.config.Nesterovs(learningRate, momentum);
        if (learningRateSchedule != null) {
            n.setLearningRateSchedule(learningRateSchedule.clone());
        }
        return n;
    }

    @Override
    public long stateSize(long numParams) {
        return numParams;
    }

    @Override
    public GradientUpdater instantiate(INDArray viewArray, boolean initializeViewArray) {
        Updater updater = new Updater(this);
        updater.setStateViewArray(viewArray, viewArray.shape(), viewArray.ordering(), initializeViewArray);
        return updater;
    }

    @Override
    public GradientUpdater instantiate(Map<String, INDArray> state, boolean initialize) {
        Updater updater = new Updater(this);
        updater.setState(state, initialize);
        return updater;
    }

    @Override
    public Momentum clone() {
        Momentum copy = new Momentum(learningRate, momentum);
        copy.learningRateSchedule = learningRateSchedule == null ? null : learningRateSchedule.clone();
        return copy;
    }

    @Override
    public double getLearningRate(int iteration, int epoch) {
        return learningRateSchedule != null ? learningRateSchedule.valueAt(iteration, epoch) : learningRate;
    }

    @Override
    public boolean hasLearningRate() {
        return true;
    }

    @Override
    public void setLrAndSchedule(double lr, ISchedule lrSchedule) {
        this.learningRate = lr;
        this.learningRateSchedule = lrSchedule;
    }

    @Override
    public boolean equals(Object o) {
        // compare() so that two scheduled configurations (rate NaN) are equal: DL4J merges layers of equal
        // updaters into one block, and a rate changed to a schedule must not split the blocks
        return o instanceof Momentum m && Double.compare(m.learningRate, learningRate) == 0
                && Double.compare(m.momentum, momentum) == 0
                && Objects.equals(m.learningRateSchedule, learningRateSchedule);
    }

    @Override
    public int hashCode() {
        return Objects.hash(learningRate, momentum, learningRateSchedule);
    }

    @Override
    public String toString() {
        return "Momentum(lr=" + learningRate + ", momentum=" + momentum + ", schedule=" + learningRateSchedule + ")";
    }

    /** The velocity of every parameter, in DL4J's updater state view. */
    private static final class Updater implements GradientUpdater<Momentum> {
        private static final String VELOCITY = "V";
        private final Momentum config;
        private INDArray velocity;

        Updater(Momentum config) {
            this.config = config;
        }

        @Override
        public Momentum getConfig() {
            return config;
        }

        @Override
        public void setState(Map<String, INDArray> state, boolean initialize) {
            INDArray v = state.get(VELOCITY);
            if (v == null || state.size() != 1) {
                throw new IllegalStateException("momentum updater state: expected only " + VELOCITY + ", got "
                        + state.keySet());
            }
            velocity = v;
            if (initialize) {
                velocity.assign(0);
            }
        }

        @Override
        public Map<String, INDArray> getState() {
            return Map.of(VELOCITY, velocity);
        }

        @Override
        public void setStateViewArray(INDArray viewArray, long[] gradientShape, char gradientOrder, boolean initialize) {
            if (initialize) {
                viewArray.assign(0);
            }
            velocity = viewArray.reshape(gradientOrder, gradientShape);
        }

        /** Turns the gradient into the step DL4J subtracts: lr * (momentum * v + g), keeping the new v. */
        @Override
        public void applyUpdater(INDArray gradient, int iteration, int epoch) {
            velocity.muli(config.momentum).addi(gradient);
            gradient.assign(velocity).muli(config.getLearningRate(iteration, epoch));
        }
    }
}
