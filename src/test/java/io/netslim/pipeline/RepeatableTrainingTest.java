package io.netslim.pipeline;

import io.netslim.Main;
import io.netslim.testing.TestNets;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * With netslim's parameter averaging a run repeats bit for bit with more workers than cores: 4 workers on
 * local[2], the same config and seed twice, give byte-identical gammas.csv (every slice is summed in worker order,
 * whatever order the tasks finish in).
 */
@Tag("e2e")
class RepeatableTrainingTest {
    @TempDir
    Path dir;

    private int run(Path output) {
        List<String> args = new ArrayList<>(List.of("pipeline"));
        for (String set : List.of("data.path=" + TestNets.fashionMnist(), "data.limit-train=1536", "data.limit-test=200",
                "model.depth=8", "train.epochs=2", "train.workers=4", "train.averaging-frequency=2",
                "finetune.epochs=1", "export.onnx=false", "spark.master=\"local[2]\"", "spark.conf.spark.ui.enabled=false",
                "output=\"" + output + "\"")) {
            args.add("--set");
            args.add(set);
        }
        return Main.run(args.toArray(String[]::new));
    }

    @Test
    void fourWorkersOnTwoCoresGiveTheSameGammasTwice() throws Exception {
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        assertEquals(0, run(a));
        assertEquals(0, run(b));
        String gammas = Files.readString(a.resolve("gammas.csv"));
        assertEquals(gammas, Files.readString(b.resolve("gammas.csv")));
        // and training moved them: not the initial 0.5 everywhere
        assertNotEquals(0, gammas.lines().skip(1).filter(l -> !l.endsWith(",0.5")).count());
    }
}
