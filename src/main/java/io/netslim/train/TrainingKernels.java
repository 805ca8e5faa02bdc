package io.netslim.train;

import io.netslim.config.ConfigException;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * Which layer implementations train a network ({@code train.kernels}): DL4J's stock layers, which run on any ND4J
 * backend (its CUDA kernels on a GPU), or netslim's CPU training-time layers ({@code io.netslim.cpu.TrainingLayers}),
 * which call oneDNN and read ND4J buffers through host memory. {@link TrainingNetworks#withKernels} puts them in.
 */
public enum TrainingKernels {
    /** netslim's training-time layers: faster on ND4J's CPU backend, wrong on any other. */
    CPU,
    /** DL4J's stock layers, the penalty through DL4J's regularisation of gamma: any ND4J backend. */
    PORTABLE;

    /** The values of {@code train.kernels}. */
    public static final List<String> SETTINGS = List.of("auto", "cpu", "portable");
    /** ND4J's name for its CPU backend (its executioner's "backend" property). */
    public static final String CPU_BACKEND = "CPU";

    /** {@code train.kernels} resolved, with why (for the log and report.json). */
    public record Choice(TrainingKernels kernels, String configured, String reason) {
        @Override
        public String toString() {
            return kernels.id() + " (" + reason + ")";
        }
    }

    /** The configuration value naming these kernels. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Resolves {@code configured} (one of {@link #SETTINGS}) for JVMs whose ND4J backends are {@code backends}
     * (ND4J's names, e.g. CPU, CUDA), described as {@code where} ("this JVM", "the executors").
     *
     * @throws ConfigException for cpu where some backend is not ND4J's CPU backend
     */
    public static Choice choose(String configured, Collection<String> backends, String where) {
        String seen = String.join(", ", new TreeSet<>(backends));
        boolean allCpu = !backends.isEmpty() && backends.stream().allMatch(CPU_BACKEND::equals);
        return switch (configured) {
            case "cpu" -> {
                if (!allCpu) {
                    throw new ConfigException("train.kernels = cpu: netslim's CPU kernels need ND4J's CPU backend, but "
                            + "ND4J backend on " + where + " is " + seen
                            + "; use train.kernels = auto or portable");
                }
                yield new Choice(CPU, configured, "train.kernels = cpu; ND4J backend " + seen + " on " + where);
            }
            case "portable" -> new Choice(PORTABLE, configured, "train.kernels = portable; ND4J backend " + seen
                    + " on " + where);
            case "auto" -> allCpu
                    ? new Choice(CPU, configured, "train.kernels = auto and ND4J backend CPU on " + where)
                    : new Choice(PORTABLE, configured, "train.kernels = auto and ND4J backend " + seen + " on " + where
                    + " (netslim's CPU kernels need the CPU backend everywhere)");
            default -> throw new ConfigException("train.kernels = '" + configured + "': expected one of " + SETTINGS);
        };
    }

    /** {@code configured} resolved for this JVM's ND4J backend (training on the driver). */
    public static Choice here(String configured) {
        return choose(configured, List.of(backend()), "this JVM");
    }

    /** This JVM's ND4J backend as ND4J names it: CPU, CUDA, ... */
    public static String backend() {
        return Nd4j.getExecutioner().getEnvironmentInformation()
                .getProperty("backend", Nd4j.getBackend().getClass().getSimpleName());
    }
}
