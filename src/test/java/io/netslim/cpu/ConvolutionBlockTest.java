package io.netslim.cpu;

import org.bytedeco.dnnl.global.dnnl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The convolution block prune.channel-multiple = auto resolves to, from CPU flags, oneDNN's ISA cap and backend. */
class ConvolutionBlockTest {
    /** Flags of a Skylake-X / EPYC-class server (abridged). */
    private static final Set<String> AVX512 = Set.of("sse4_1", "sse4_2", "avx", "avx2", "fma", "avx512f",
            "avx512dq", "avx512cd", "avx512bw", "avx512vl");
    private static final Set<String> AVX2 = Set.of("sse4_1", "sse4_2", "avx", "avx2", "fma");

    @Test
    void cpuFlagsGiveOneDnnsBlock() {
        assertEquals(16, ConvolutionBlock.of("CPU", AVX512, null).channels());
        assertEquals(8, ConvolutionBlock.of("CPU", AVX2, null).channels());
        assertEquals(8, ConvolutionBlock.of("CPU", Set.of("sse4_1", "sse4_2", "avx"), null).channels());
        assertEquals(8, ConvolutionBlock.of("CPU", Set.of("sse2", "ssse3", "sse4_1"), null).channels());
        ConvolutionBlock old = ConvolutionBlock.of("CPU", Set.of("sse", "sse2", "ssse3"), null);
        assertEquals(1, old.channels());
        assertTrue(old.reason().contains("without SSE4.1"), old.reason());
        ConvolutionBlock unknown = ConvolutionBlock.of("CPU", Set.of(), null);
        assertEquals(1, unknown.channels());
        assertTrue(unknown.reason().contains("unknown"), unknown.reason());
        ConvolutionBlock wide = ConvolutionBlock.of("CPU", AVX512, null);
        assertTrue(wide.reason().contains("AVX-512") && wide.reason().contains("16"), wide.reason());
    }

    @Test
    void oneDnnsIsaCapLowersTheBlockButNeverRaisesIt() {
        assertEquals(8, ConvolutionBlock.of("CPU", AVX512, "AVX2").channels());
        assertEquals(8, ConvolutionBlock.of("CPU", AVX512, "avx2_vnni").channels());
        assertEquals(8, ConvolutionBlock.of("CPU", AVX512, "SSE41").channels());
        assertTrue(ConvolutionBlock.of("CPU", AVX512, "AVX2").reason().contains("ONEDNN_MAX_CPU_ISA AVX2"));
        assertEquals(16, ConvolutionBlock.of("CPU", AVX512, "AVX512_CORE_VNNI").channels());
        assertEquals(16, ConvolutionBlock.of("CPU", AVX512, "ALL").channels());
        assertEquals(8, ConvolutionBlock.of("CPU", AVX2, "AVX512_CORE").channels(), "a cap adds no instructions");
        assertEquals(16, ConvolutionBlock.of("CPU", AVX512, "NOT_AN_ISA").channels(), "oneDNN ignores unknown caps");
    }

    @Test
    void otherBackendsHaveNoBlock() {
        ConvolutionBlock cuda = ConvolutionBlock.of("CUDA", AVX512, null);
        assertEquals(1, cuda.channels());
        assertTrue(cuda.reason().contains("CUDA"), cuda.reason());
    }

    @Test
    void flagsAreReadFromCpuinfo(@TempDir Path dir) throws Exception {
        Path cpuinfo = dir.resolve("cpuinfo");
        Files.writeString(cpuinfo, "processor\t: 0\nmodel name\t: Some CPU\nflags\t\t: fpu sse4_1 avx avx2 avx512f\n\n"
                + "processor\t: 1\nflags\t\t: fpu sse4_1\n");
        assertEquals(Set.of("fpu", "sse4_1", "avx", "avx2", "avx512f"), ConvolutionBlock.cpuFlags(cpuinfo));
        Files.writeString(cpuinfo, "processor\t: 0\nFeatures\t: fp asimd evtstrm\n"); // aarch64: no x86 flags
        assertEquals(Set.of(), ConvolutionBlock.cpuFlags(cpuinfo));
        assertEquals(Set.of(), ConvolutionBlock.cpuFlags(dir.resolve("absent")));
    }

    /** On this machine the block agrees with the ISA oneDNN itself runs (javacpp's oneDNN, as netslim calls it). */
    @Test
    void agreesWithOneDnnHere() {
        int isa = dnnl.dnnl_get_effective_cpu_isa();
        int expected = isa == dnnl.dnnl_cpu_isa_avx512_mic || isa == dnnl.dnnl_cpu_isa_avx512_mic_4ops
                || isa == dnnl.dnnl_cpu_isa_avx512_core || isa == dnnl.dnnl_cpu_isa_avx512_core_vnni
                || isa == dnnl.dnnl_cpu_isa_avx512_core_bf16 || isa == dnnl.dnnl_cpu_isa_avx512_core_amx ? 16
                : isa == dnnl.dnnl_cpu_isa_sse41 || isa == dnnl.dnnl_cpu_isa_avx || isa == dnnl.dnnl_cpu_isa_avx2
                || isa == dnnl.dnnl_cpu_isa_avx2_vnni ? 8 : 1;
        ConvolutionBlock here = ConvolutionBlock.here("CPU");
        assertEquals(expected, here.channels(), "oneDNN's ISA 0x" + Integer.toHexString(isa) + ", " + here);
    }
}
