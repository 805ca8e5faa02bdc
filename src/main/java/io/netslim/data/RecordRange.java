package io.netslim.data;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/** A contiguous range of record indices [start, end): the unit of data an executor reads by itself. */
public record RecordRange(int start, int end) implements Serializable {
    /** Splits [0, total) into {@code parts} near-equal ranges. */
    public static List<RecordRange> split(int total, int parts) {
        int n = Math.max(1, Math.min(parts, total));
        List<RecordRange> ranges = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ranges.add(new RecordRange((int) ((long) total * i / n), (int) ((long) total * (i + 1) / n)));
        }
        return ranges;
    }

    public int size() {
        return end - start;
    }
}
