package io.netslim.cli;

import io.netslim.runtime.BuildInfo;
import io.netslim.Main;
import io.netslim.model.ModelRegistry;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Commands that need no run: --version from the build, inspect --list from the registry, bench's subcommands and option checks. */
class CommandsTest {
    @Test
    void versionIsTheBuildsVersion() {
        String out = stdout("--version");
        assertEquals("netslim " + BuildInfo.VERSION, out.strip());
        assertFalse(out.contains("${") || BuildInfo.VERSION.equals("unknown"), out);
    }

    @Test
    void inspectListsEveryRegisteredArchitectureWithItsDepths() {
        String out = stdout("inspect", "--list");
        for (String arch : ModelRegistry.descriptions().keySet()) {
            assertTrue(out.lines().anyMatch(l -> l.startsWith(arch + " ")), arch + " missing from\n" + out);
        }
        assertTrue(out.contains("preresnet") && out.contains("6n+2") && out.contains("zoo:ResNet50"), out);
    }

    @Test
    void benchRefusesOptionsThatDoNotGoTogether() {
        assertEquals(2, Main.run("bench", "--spark"), "--spark alone");
        assertEquals(2, Main.run("bench", "inference", "--spark"), "--spark goes with train-only");
        assertEquals(2, Main.run("bench", "train-only", "inference"), "one bench at a time");
        assertEquals(2, Main.run("bench", "--inference-only"), "the old flags are gone");
    }

    @Test
    void benchHelpListsEverySubcommandAndItsSharedOptions() {
        String out = stdout("bench", "--help");
        for (String sub : java.util.List.of("inference", "train-only", "averaging", "read", "quick")) {
            assertTrue(out.lines().anyMatch(l -> l.strip().startsWith(sub + " ")), sub + " missing from\n" + out);
        }
        for (String sub : java.util.List.of("inference", "train-only", "averaging", "read", "quick")) {
            String help = stdout("bench", sub, "--help");
            for (String option : java.util.List.of("--runs", "--warmup-seconds", "--json", "--conf", "--set")) {
                assertTrue(help.contains(option), option + " missing from bench " + sub + " --help:\n" + help);
            }
        }
        assertTrue(stdout("bench", "train-only", "--help").contains("--spark"));
        String quick = stdout("bench", "quick", "--help");
        assertTrue(quick.contains("--ratios") && quick.contains("--steps"), quick);
    }

    private static String stdout(String... args) {
        PrintStream saved = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            assertEquals(0, Main.run(args));
        } finally {
            System.setOut(saved);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
