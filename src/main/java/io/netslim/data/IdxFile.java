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
     * Reads records [start, start+n) as raw bytes. Where the file ends early, the missing records go to
     * {@code bad} (which throws, or lets the records that are there be returned).
     */
    public byte[] read(int start, int n, BadRecords bad, Configuration hadoop) {
        if (start < 0 || n < 0 || start + n > count()) {
            throw new IllegalArgumentException(uri + ": records [" + start + ", " + (start + n)
                    + ") outside [0, " + count() + ")");
        }
        int size = recordSize();
        long headerBytes = 4L + 4L * dims.length;
        byte[] out = new byte[Math.multiplyExact(n, size)];
        try (DataInputStream in = stream(uri, hadoop)) {
            in.skipNBytes(headerBytes + (long) start * size);
            int got = in.readNBytes(out, 0, out.length);
            if (got < out.length) {
                int complete = got / size;
                bad.reject(uri, "truncated; the header announces " + count() + " records of " + size
                        + " bytes but the data ends inside record " + (start + complete) + " (byte offset "
                        + (headerBytes + (long) (start + complete) * size) + ")", n - complete);
                return Arrays.copyOf(out, complete * size);
            }
            return out;
        } catch (EOFException e) {
            bad.reject(uri, "truncated; the data ends before record " + start, n);
            return new byte[0];
        } catch (IOException e) {
            throw new DataException(uri + ": cannot read (" + e.getMessage() + ")", e);
        }
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
