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

/** Commands that need no run: --version from the build, inspect --list from the registry, bench's option checks. */
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
        assertEquals(2, Main.run("bench", "--train-only", "--inference-only"));
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
