package io.netslim.artifacts;

/**
 * A stage of a slimming pass, with every name it goes by defined here: its step in the run ledger, in
 * metrics.jsonl and for {@code pipeline --until}, its result's key in report.json, and the model file it writes.
 */
public enum Stage {
    SPARSE("sparse", "sparse", "sparse.zip"),
    PRUNE("prune", "pruned", "pruned.zip"),
    FINETUNE("finetune", "finetuned", "finetuned.zip");

    /** The step: ledger entries, metrics.jsonl's {@code stage}, {@code --until}. */
    public final String step;
    /** The model it produces: report.json's {@code stages.<result>}. */
    public final String result;
    /** The model file, relative to the run (or pass) folder. */
    public final String file;

    Stage(String step, String result, String file) {
        this.step = step;
        this.result = result;
        this.file = file;
    }

    @Override
    public String toString() {
        return step;
    }
}
