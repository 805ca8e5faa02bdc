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

    /** Pass {@code pass}'s folder, ledger scope and checkpoint scope: {@code pass-N}. */
    public static String scope(int pass) {
        return "pass-" + pass;
    }

    /**
     * Where pass {@code pass} of a run of {@code passes} passes writes its files, relative to the run: the run folder
     * itself for the last pass ({@code ""}), {@code pass-N/} for the earlier ones.
     */
    public static String folder(int pass, int passes) {
        return pass == passes ? "" : scope(pass) + "/";
    }

    /** This stage's ledger key in pass {@code pass}: {@code pass-N/<step>}. */
    public String key(int pass) {
        return scope(pass) + "/" + step;
    }

    /** This stage's model file of pass {@code pass} of {@code passes}, relative to the run. */
    public String file(int pass, int passes) {
        return folder(pass, passes) + file;
    }

    @Override
    public String toString() {
        return step;
    }
}
