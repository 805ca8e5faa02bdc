package io.netslim.cpu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * How many output channels this machine's convolutions compute as one block, what
 * {@code prune.channel-multiple = auto} rounds every pruned layer to: a layer cut to a count that is not a multiple
 * of it costs as much time as the next multiple.
 * <p>
 * On ND4J's CPU backend the convolutions are oneDNN's (DL4J's layers, netslim's training-time layers) or ONNX
 * Runtime's (MLAS), and both block channels by the vector width of the instruction set they pick: oneDNN picks
 * the highest of its ISAs the CPU supports, capped by {@code ONEDNN_MAX_CPU_ISA} (or {@code DNNL_MAX_CPU_ISA}), so
 * this does the same from the CPU's flags. AVX-512 (avx512f): 16 floats per register, blocks of 16 channels
 * (nChw16c; MLAS NCHWc 16). AVX2, AVX and SSE4.1: blocks of 8 (nChw8c; oneDNN's SSE4.1 kernel works on two
 * 4-float registers at once and refuses counts that are not multiples of 8; MLAS NCHWc 8 on AVX2). Without any of
 * these, or without x86 flags (another architecture, no /proc/cpuinfo), 1: oneDNN then runs GEMM-based or
 * reference convolutions, whose cost follows the exact channel count, so rounding would only keep channels.
 * On any other ND4J backend (CUDA: cuDNN's float convolutions have no such block) 1.
 */
public record ConvolutionBlock(int channels, String reason) {
    /** ND4J's name for its CPU backend. */
    static final String CPU_BACKEND = "CPU";
    private static final Path CPUINFO = Path.of("/proc/cpuinfo");
    /** oneDNN's ISA families (prefixes of its ONEDNN_MAX_CPU_ISA values), narrowest first. */
    private static final List<String> FAMILIES = List.of("SSE41", "AVX", "AVX2", "AVX512");

    /** The block for this JVM, whose ND4J backend is {@code backend} (ND4J's name: CPU, CUDA, ...). */
    public static ConvolutionBlock here(String backend) {
        String maxIsa = System.getenv("ONEDNN_MAX_CPU_ISA");
        if (maxIsa == null) {
            maxIsa = System.getenv("DNNL_MAX_CPU_ISA");
        }
        return of(backend, cpuFlags(CPUINFO), maxIsa);
    }

    /**
     * The block for ND4J backend {@code backend} on a CPU with {@code cpuFlags} (as /proc/cpuinfo spells them,
     * empty when unknown), oneDNN capped at {@code maxIsa} (ONEDNN_MAX_CPU_ISA's value, or null).
     */
    public static ConvolutionBlock of(String backend, Set<String> cpuFlags, String maxIsa) {
        if (!CPU_BACKEND.equals(backend)) {
            return new ConvolutionBlock(1, "ND4J backend " + backend + ": its convolutions work on any channel "
                    + "count");
        }
        String isa = widestIsa(cpuFlags);
        String cap = maxIsa == null || maxIsa.isBlank() || maxIsa.equalsIgnoreCase("ALL") ? null
                : maxIsa.trim().toUpperCase(Locale.ROOT);
        if (isa != null && cap != null && rank(cap) >= 0 && rank(cap) < rank(isa)) {
            isa = family(cap);
        }
        if (isa == null) {
            return new ConvolutionBlock(1, cpuFlags.isEmpty()
                    ? "ND4J backend CPU, CPU flags unknown (no " + CPUINFO + "): no channel block assumed"
                    : "ND4J backend CPU without SSE4.1" + (cap == null ? "" : " (ONEDNN_MAX_CPU_ISA " + cap + ")")
                    + ": oneDNN has no blocked convolution here");
        }
        int block = isa.equals("AVX512") ? 16 : 8;
        return new ConvolutionBlock(block, "ND4J backend CPU, " + (isa.equals("SSE41") ? "SSE4.1" : isa.replace(
                "AVX512", "AVX-512")) + (cap == null ? "" : " (ONEDNN_MAX_CPU_ISA " + cap + ")")
                + ": oneDNN convolves in blocks of " + block + " channels");
    }

    /** The widest of oneDNN's ISA families {@code flags} support (AVX512, AVX2, AVX, SSE41), or null. */
    private static String widestIsa(Set<String> flags) {
        if (flags.contains("avx512f")) {
            return "AVX512";
        }
        if (flags.contains("avx2")) {
            return "AVX2";
        }
        if (flags.contains("avx")) {
            return "AVX";
        }
        return flags.contains("sse4_1") ? "SSE41" : null;
    }

    /** An ISA name (a family or oneDNN's full name, e.g. AVX512_CORE_VNNI, AVX2_VNNI) as its family. */
    private static String family(String isa) {
        for (int i = FAMILIES.size() - 1; i >= 0; i--) {
            if (isa.startsWith(FAMILIES.get(i))) {
                return FAMILIES.get(i);
            }
        }
        return isa;
    }

    /** Width order of an ISA's family (SSE41 0 ... AVX512 3); -1 for a name oneDNN does not know. */
    private static int rank(String isa) {
        return FAMILIES.indexOf(family(isa));
    }

    /** The x86 feature flags of the first CPU in {@code cpuinfo} (its "flags" line), empty when unreadable. */
    static Set<String> cpuFlags(Path cpuinfo) {
        try (var lines = Files.lines(cpuinfo)) {
            return lines.filter(l -> l.startsWith("flags")).findFirst()
                    .map(l -> (Set<String>) new TreeSet<>(Arrays.asList(l.substring(l.indexOf(':') + 1).trim()
                            .split("\\s+"))))
                    .orElse(Set.of());
        } catch (IOException | RuntimeException e) {
            return Set.of();
        }
    }
}
