package io.netslim.data;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** One IDX file (MNIST family, unsigned bytes, optionally gzipped), read through Hadoop's FileSystem API. */
public record IdxFile(String uri, int[] dims) implements Serializable {
    private static final int UBYTE = 0x08;

    /** Reads the header of the file at {@code uri} and checks it has {@code rank} dimensions. */
    public static IdxFile open(String uri, int rank, Configuration hadoop) {
        try (DataInputStream in = stream(uri, hadoop)) {
            int magic = in.readInt();
            int type = (magic >>> 8) & 0xff;
            int fileRank = magic & 0xff;
            if ((magic >>> 16) != 0 || type != UBYTE || fileRank != rank) {
                throw new DataException(uri + ": not an IDX file of unsigned bytes with " + rank
                        + " dimension(s) (magic number 0x" + Integer.toHexString(magic) + ", expected 0x"
                        + Integer.toHexString((UBYTE << 8) | rank) + ")");
            }
            int[] dims = new int[rank];
            for (int i = 0; i < rank; i++) {
                dims[i] = in.readInt();
                if (dims[i] <= 0) {
                    throw new DataException(uri + ": dimension " + i + " is " + dims[i] + ", expected > 0");
                }
            }
            return new IdxFile(uri, dims);
        } catch (EOFException e) {
            throw new DataException(uri + ": truncated IDX header", e);
        } catch (IOException e) {
            throw new DataException(uri + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    /** Number of records (the first dimension). */
    public int count() {
        return dims[0];
    }

    /** Bytes per record (the product of the other dimensions). */
    public int recordSize() {
        return Arrays.stream(dims).skip(1).reduce(1, (a, b) -> a * b);
    }

    /**
     * Reads the records of {@code ranges} (sorted, disjoint) as raw bytes, one stream through the file. Where the
     * file ends early, the records it lacks go to {@code bad} (which throws, or lets the records that are there be
     * returned); every read that reaches the end reports it alike, with the records the file lacks in all.
     */
    public byte[] read(List<RecordRange> ranges, BadRecords bad, Configuration hadoop) {
        RecordRange.check(ranges, count(), uri);
        int size = recordSize();
        long headerBytes = 4L + 4L * dims.length;
        byte[] out = new byte[Math.multiplyExact(RecordRange.total(ranges), size)];
        int filled = 0;
        long pos = headerBytes;
        try (DataInputStream in = stream(uri, hadoop)) {
            in.skipNBytes(headerBytes);
            for (RecordRange r : ranges) {
                long gap = headerBytes + (long) r.start() * size - pos;
                long skipped = skip(in, gap);
                pos += skipped;
                int got = skipped < gap ? 0 : in.readNBytes(out, filled, r.size() * size);
                pos += got;
                filled += got;
                if (got < r.size() * size) {
                    return truncated(out, filled, pos, headerBytes, size, bad, hadoop);
                }
            }
            return out;
        } catch (EOFException e) {
            throw new DataException(uri + ": truncated IDX header", e);
        } catch (IOException e) {
            throw new DataException(uri + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    /** Reports where the data ends (at byte {@code pos}, or the file's length if shorter) and keeps what came. */
    private byte[] truncated(byte[] out, int filled, long pos, long headerBytes, int size, BadRecords bad,
                             Configuration hadoop) throws IOException {
        long end = pos;
        if (!uri.endsWith(".gz")) { // a plain file's skip may seek past its end
            Path path = new Path(uri);
            end = Math.min(end, path.getFileSystem(hadoop).getFileStatus(path).getLen());
        }
        int record = (int) Math.min(count(), Math.max(0, (end - headerBytes) / size));
        bad.reject(uri, "truncated; the header announces " + count() + " records of " + size
                + " bytes but the data ends inside record " + record + " (byte offset "
                + (headerBytes + (long) record * size) + ")", count() - record);
        return Arrays.copyOf(out, filled / size * size);
    }

    /** Skips up to {@code n} bytes; fewer only at the end of the data. */
    private static long skip(InputStream in, long n) throws IOException {
        long skipped = 0;
        while (skipped < n) {
            long s = in.skip(n - skipped);
            if (s <= 0) {
                if (in.read() < 0) {
                    break;
                }
                s = 1;
            }
            skipped += s;
        }
        return skipped;
    }

    private static DataInputStream stream(String uri, Configuration hadoop) throws IOException {
        Path path = new Path(uri);
        FileSystem fs = path.getFileSystem(hadoop);
        InputStream raw = new BufferedInputStream(fs.open(path), 1 << 16);
        if (uri.endsWith(".gz")) {
            raw = new GZIPInputStream(raw, 1 << 16);
        }
        return new DataInputStream(raw);
    }
}
