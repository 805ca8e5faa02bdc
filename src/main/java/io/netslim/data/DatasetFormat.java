package io.netslim.data;

import org.apache.hadoop.conf.Configuration;

import java.io.Serializable;

/**
 * One dataset format ({@code data.format}). Opening it on the driver lists files and reads headers only;
 * {@link #read} reads any range of records and runs on the executors, each reading its own ranges through
 * Hadoop's FileSystem API. Implementations are small and serializable: file names and offsets, never pixels.
 */
public interface DatasetFormat extends Serializable {
    /** {channels, height, width} of every record as it is fed to the network. */
    long[] shape();

    /** Number of records in {@code split}. */
    int count(Split split);

    /**
     * Records [range.start, range.end) of {@code split} as raw CHW bytes and labels. A bad record (truncated,
     * undecodable, wrong size, label outside [0, classes)) goes to {@code bad}, which either throws a
     * {@link DataException} naming the file and the record or byte offset, or counts it and leaves it out.
     */
    ImageRecords read(Split split, RecordRange range, int classes, BadRecords bad, Configuration hadoop);

    /** One line for the log: what was found where. */
    String describe();
}
