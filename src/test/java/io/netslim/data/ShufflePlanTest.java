package io.netslim.data;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The epoch order and its cut into shares, without Spark: every record once, samples of every class. */
class ShufflePlanTest {
    @Test
    void slotsCoverEveryRecordExactlyOnceInNearEqualSortedShares() {
        for (Blocks blocks : List.of(Blocks.uniform(1003, 1), Blocks.uniform(1003, 7),
                Blocks.bounded(new int[] {0, 100, 350, 351, 1003}))) {
            ShufflePlan plan = ShufflePlan.of(blocks, 11, 6);
            int[] hits = new int[1003];
            int min = Integer.MAX_VALUE;
            int max = 0;
            for (int s = 0; s < plan.slots(); s++) {
                List<RecordRange> ranges = plan.slot(s);
                RecordRange.check(ranges, 1003, "slot " + s); // sorted and disjoint
                for (int i = 1; i < ranges.size(); i++) {
                    assertTrue(ranges.get(i - 1).end() < ranges.get(i).start(), "adjacent ranges not merged");
                }
                assertEquals(plan.slotSize(s), RecordRange.total(ranges));
                ranges.forEach(r -> java.util.stream.IntStream.range(r.start(), r.end()).forEach(i -> hits[i]++));
                min = Math.min(min, plan.slotSize(s));
                max = Math.max(max, plan.slotSize(s));
            }
            for (int i = 0; i < hits.length; i++) {
                assertEquals(1, hits[i], blocks + ": record " + i);
            }
            assertTrue(max - min <= 1, blocks + ": shares of " + min + " to " + max + " records");
        }
    }

    @Test
    void piecesHaveTheAskedSizeAndTheSameSeedGivesTheSameOrder() {
        ShufflePlan pieces = ShufflePlan.inPiecesOf(Blocks.uniform(23, 1), 5, 5);
        assertEquals(5, pieces.slots());
        assertEquals(List.of(5, 5, 5, 5, 3), java.util.stream.IntStream.range(0, 5).map(pieces::slotSize).boxed().toList());
        ShufflePlan a = ShufflePlan.of(Blocks.uniform(5000, 1), ShufflePlan.mix(42, 3), 4);
        ShufflePlan b = ShufflePlan.of(Blocks.uniform(5000, 1), ShufflePlan.mix(42, 3), 4);
        ShufflePlan otherEpoch = ShufflePlan.of(Blocks.uniform(5000, 1), ShufflePlan.mix(42, 4), 4);
        assertEquals(a.slot(2), b.slot(2));
        assertEquals(a.slotSeed(2), b.slotSeed(2));
        assertNotEquals(a.slot(2), otherEpoch.slot(2));
        assertNotEquals(a.slotSeed(1), a.slotSeed(2));
        assertEquals(300, RecordRange.total(a.head(300)));
    }

    @Test
    void blocksGrowOnlyWhereAShareWouldNeedMoreThanItsSeekBudget() {
        assertEquals(1, Blocks.forSlots(60_000, 4).largest());
        assertEquals(3, Blocks.forSlots(60_000, 1).largest()); // one share of 60,000 in at least 16,384 blocks
        assertEquals(15, Blocks.forSlots(1_000_000, 4).largest());
        assertTrue(Blocks.forSlots(1_000_000, 4).blocks() / 4 >= Blocks.PER_SLOT);
    }

    /**
     * 2,000,000 records stored class by class (10 classes), 4 shares: blocks of 30 records, each of one class, so a
     * share's class mix is a sample of about 16,700 blocks. Each class's share of each worker's records must be within
     * 5 standard deviations of that sampling (0.0023 for a 10% class; a contiguous range would be off by 0.1 or more).
     */
    @Test
    void bigClassOrderedSplitsGiveEveryShareTheGlobalClassMix() {
        int perClass = 200_000;
        int classes = 10;
        int count = perClass * classes;
        int slots = 4;
        Blocks blocks = Blocks.forSlots(count, slots);
        assertTrue(blocks.largest() > 1, blocks.toString());
        ShufflePlan plan = ShufflePlan.of(blocks, ShufflePlan.mix(7, 0), slots);
        double p = 1.0 / classes;
        for (int s = 0; s < slots; s++) {
            long[] perClassInShare = new long[classes];
            for (RecordRange r : plan.slot(s)) {
                for (int c = 0; c < classes; c++) { // records of class c are [c * perClass, (c + 1) * perClass)
                    perClassInShare[c] += Math.max(0, Math.min(r.end(), (c + 1) * perClass) - Math.max(r.start(), c * perClass));
                }
            }
            int n = plan.slotSize(s);
            double draws = (double) n / blocks.largest();
            double tolerance = 5 * Math.sqrt(p * (1 - p) / draws);
            List<String> off = new ArrayList<>();
            for (int c = 0; c < classes; c++) {
                double share = (double) perClassInShare[c] / n;
                if (Math.abs(share - p) > tolerance) {
                    off.add("class " + c + ": " + share);
                }
            }
            assertTrue(off.isEmpty(), "share " + s + " (tolerance " + tolerance + "): " + off);
        }
    }
}
