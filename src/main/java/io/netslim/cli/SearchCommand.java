package io.netslim.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netslim.search.RatioSearch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** netslim search: the most-pruned model within an accuracy budget, candidates evaluated in parallel on Spark. */
@Command(name = "search", mixinStandardHelpOptions = true,
        description = {"Find the most-pruned model of a finished run whose validation accuracy stays within",
                "--max-accuracy-drop of the sparse model's: K candidate ratios, each pruned, fine-tuned on a training",
                "shard and scored on the validation split (data.validation) in its own Spark task; the choice is",
                "fine-tuned fully on the driver and evaluated on the test set. Adds search.json, searched.zip and",
                "plots/search.png to the run. A killed search resumes without redoing finished candidates."})
public final class SearchCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--run", required = true, paramLabel = "OUTPUT", description = "A finished run's output folder")
    String run;

    @Option(names = "--max-accuracy-drop", required = true, paramLabel = "D",
            description = "Allowed validation accuracy loss against the sparse model, e.g. 0.01 for one point")
    double maxDrop;

    @Option(names = "--candidates", paramLabel = "K", defaultValue = "8",
            description = "Candidate ratios, evenly spaced up to the most the prune.* rules allow (default: ${DEFAULT-VALUE})")
    int candidates;

    @Option(names = "--ratios", split = ",", paramLabel = "R",
            description = "These candidate ratios instead of --candidates")
    List<Double> ratios;

    @Option(names = "--finetune-epochs", paramLabel = "E", defaultValue = "1",
            description = "Fine-tuning epochs of each candidate on its training shard (default: ${DEFAULT-VALUE})")
    int epochs;

    @Option(names = "--shard-images", paramLabel = "N", defaultValue = "0",
            description = "Training images each candidate fine-tunes on, the same random sample for all "
                    + "(default: training images / K)")
    int shardImages;

    @Option(names = "--on-driver", description = "Evaluate the candidates one after another on the driver, not as Spark tasks")
    boolean onDriver;

    @Option(names = "--set", paramLabel = "spark.KEY=VALUE",
            description = "Change a Spark key of the run's config for this search, e.g. spark.master=spark://host:7077")
    List<String> sets = new ArrayList<>();

    @Option(names = "--json", description = "Print {\"chosen_ratio\", \"flops_kept\", \"params_kept\", "
            + "\"validation_accuracy\", \"test_accuracy\", \"search\"} (null fields when no candidate is within the budget)")
    boolean json;

    @Override
    public Integer call() {
        ObjectNode search = RatioSearch.run(run, new RatioSearch.Options(maxDrop, candidates, ratios, epochs,
                shardImages, onDriver, sets));
        JsonNode chosen = search.get("chosen");
        if (json) {
            ObjectNode out = JSON.createObjectNode();
            for (String[] f : new String[][] {{"chosen_ratio", "ratio"}, {"flops_kept", "flops_kept"},
                    {"params_kept", "params_kept"}, {"validation_accuracy", "validation_accuracy"},
                    {"test_accuracy", "test_accuracy"}}) {
                out.set(f[0], chosen.isNull() ? null : chosen.get(f[1]));
            }
            out.put("sparse_validation_accuracy", search.at("/sparse/validation_accuracy").asDouble());
            out.put("candidates_seconds", search.at("/seconds/candidates").asDouble());
            out.put("search", run);
            System.out.println(out);
        } else if (chosen.isNull()) {
            System.out.println("no candidate within " + maxDrop + " of the sparse model's validation accuracy; see "
                    + run + "/search.json");
        } else {
            System.out.printf("chosen ratio %s: %.4f of the FLOPs kept, validation accuracy %.4f, test accuracy %.4f%n",
                    chosen.get("ratio").asText(), chosen.get("flops_kept").asDouble(),
                    chosen.get("validation_accuracy").asDouble(), chosen.get("test_accuracy").asDouble());
        }
        return ExitCodes.OK;
    }
}
