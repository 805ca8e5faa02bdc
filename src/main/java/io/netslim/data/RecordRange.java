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

    /** Records in all of {@code ranges}. */
    public static int total(List<RecordRange> ranges) {
        return Math.toIntExact(ranges.stream().mapToLong(RecordRange::size).sum());
    }

    /**
     * Checks that {@code ranges} are sorted, disjoint and inside [0, count); {@code what} names the data in
     * the exception.
     */
    public static void check(List<RecordRange> ranges, int count, String what) {
        int previous = 0;
        for (RecordRange r : ranges) {
            if (r.start() < previous || r.end() < r.start() || r.end() > count) {
                throw new IllegalArgumentException(what + ": records [" + r.start() + ", " + r.end()
                        + ") outside [0, " + count + ") or not after the previous range");
            }
            previous = r.end();
        }
    }
}
