package io.netslim.train;

/** The loss or a parameter became NaN or infinite (exit code 4); training stopped at once. */
public class TrainingDivergedException extends RuntimeException {
    public TrainingDivergedException(String message) {
        super(message);
    }
}
