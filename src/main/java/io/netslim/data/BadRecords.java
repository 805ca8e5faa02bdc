package io.netslim.data;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.util.CollectionAccumulator;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.TreeSet;

/**
 * What to do with a record that cannot be used ({@code data.on-bad-record}): "fail" throws a
 * {@link DataException} naming the file, the record or byte offset and the expectation; "skip" leaves the
 * record out and remembers why, on the driver or, through a Spark accumulator, on the executors.
 */
public final class BadRecords implements Serializable {
    /** At most this many distinct problems are kept for the report. */
    public static final int KEEP = 50;

    private final boolean skip;
    private final List<String> local = Collections.synchronizedList(new ArrayList<>());
    private CollectionAccumulator<String> executors;

    public BadRecords(String policy) {
        this.skip = switch (policy) {
            case "fail" -> false;
            case "skip" -> true;
            default -> throw new IllegalArgumentException("data.on-bad-record = '" + policy + "': expected fail or skip");
        };
    }

    /** Fails on the first bad record. */
    public static BadRecords failing() {
        return new BadRecords("fail");
    }

    public boolean skips() {
        return skip;
    }

    /** Also collects problems met on the executors of {@code sc} (call on the driver before training). */
    public BadRecords onSpark(JavaSparkContext sc) {
        if (skip && executors == null) {
            executors = sc.sc().collectionAccumulator("netslim bad records");
        }
        return this;
    }

    /** A bad record: throws under "fail"; under "skip" remembers {@code where: problem} and returns. */
    public void reject(String where, String problem) {
        reject(where, problem, 1);
    }

    /** {@code records} bad records with one cause (e.g. the missing tail of a truncated file). */
    public void reject(String where, String problem, int records) {
        String message = where + ": " + problem;
        if (!skip) {
            throw new DataException(message);
        }
        String entry = records + "\t" + message;
        if (executors != null && !onDriver()) {
            executors.add(entry);
        } else {
            local.add(entry);
        }
    }

    /** Distinct problems seen so far (the same record read in several epochs counts once). */
    public List<String> problems() {
        return distinct().stream().map(e -> e.substring(e.indexOf('\t') + 1)).toList();
    }

    /** Records left out so far, each counted once. */
    public long skippedRecords() {
        return distinct().stream().mapToLong(e -> Long.parseLong(e.substring(0, e.indexOf('\t')))).sum();
    }

    private List<String> distinct() {
        TreeSet<String> all = new TreeSet<>(local);
        if (executors != null) {
            all.addAll(executors.value());
        }
        return new ArrayList<>(all);
    }

    private static boolean onDriver() {
        return org.apache.spark.TaskContext.get() == null;
    }
}
