package io.netslim.data;

import org.apache.hadoop.conf.Configuration;

import java.io.Serializable;
import java.util.List;

/**
 * One opened dataset of a {@code data.format} ({@link DataFormat#open}). Opening it on the driver lists files
 * and reads headers only; {@link #read} reads any range of records and runs on the executors, each reading its
 * own ranges through Hadoop's FileSystem API. Implementations are small and serializable: file names and offsets, never pixels.
 */
public interface DatasetFormat extends Serializable {
    /** {channels, height, width} of every record as it is fed to the network. */
    long[] shape();

    /** Number of records in {@code split}. */
    int count(Split split);

    /**
     * The records of {@code ranges} (sorted, disjoint) of {@code split} as raw CHW bytes and labels, in the
     * order of the ranges. A bad record (truncated, undecodable, wrong size, label outside [0, classes)) goes
     * to {@code bad}, which either throws a {@link DataException} naming the file and the record or byte
     * offset, or counts it and leaves it out. The same bad record is reported the same way by every read that
     * meets it, so that it is counted once however the records are dealt out.
     */
    ImageRecords read(Split split, List<RecordRange> ranges, int classes, BadRecords bad, Configuration hadoop);

    /** Records [range.start, range.end) of {@code split}: {@link #read(Split, List, int, BadRecords, Configuration)}. */
    default ImageRecords read(Split split, RecordRange range, int classes, BadRecords bad, Configuration hadoop) {
        return read(split, List.of(range), classes, bad, hadoop);
    }

    /**
     * How the first {@code count} records of {@code split} group into blocks when an epoch's order is dealt
     * into {@code slots} shares ({@link Blocks#forSlots} unless the format stores records in groups).
     */
    default Blocks blocks(Split split, int count, int slots) {
        return Blocks.forSlots(count, slots);
    }

    /** One line for the log: what was found where. */
    String describe();
}
