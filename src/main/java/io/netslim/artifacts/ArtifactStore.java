package io.netslim.artifacts;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A run's output folder on any Hadoop FileSystem (file://, hdfs://, s3a://). Every file is written
 * under a temporary name and renamed into place when complete, so a reader never sees half a file.
 * Failures surface as {@link OutputException} naming the file.
 */
public final class ArtifactStore {
    private static final String TMP = "_tmp";
    private final FileSystem fs;
    private final Path root;

    private ArtifactStore(FileSystem fs, Path root) {
        this.fs = fs;
        this.root = root;
    }

    /** An existing folder {@code uri} for reading (nothing is created), or null when there is none. */
    public static ArtifactStore find(String uri, Configuration hadoop) {
        try {
            Path path = new Path(uri);
            FileSystem fs = path.getFileSystem(hadoop);
            Path root = fs.makeQualified(path);
            return fs.exists(root) && fs.getFileStatus(root).isDirectory() ? new ArtifactStore(fs, root) : null;
        } catch (IOException e) {
            throw new OutputException("folder " + uri + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    /** The existing run folder {@code uri} for reading; a missing folder is an error naming it. */
    public static ArtifactStore existing(String uri, Configuration hadoop) {
        ArtifactStore store = find(uri, hadoop);
        if (store == null) {
            throw new OutputException("run folder " + uri + ": does not exist (or is not a folder)");
        }
        return store;
    }

    /** Opens (and creates) the output folder {@code uri}. */
    public static ArtifactStore open(String uri, Configuration hadoop) {
        try {
            Path path = new Path(uri);
            FileSystem fs = path.getFileSystem(hadoop);
            Path root = fs.makeQualified(path);
            if (fs.exists(root) && !fs.getFileStatus(root).isDirectory()) {
                throw new OutputException("output " + root + ": exists and is not a directory");
            }
            fs.mkdirs(root);
            return new ArtifactStore(fs, root);
        } catch (IOException e) {
            throw new OutputException("output " + uri + ": cannot create (" + e.getMessage() + ")", e);
        }
    }

    /** The fully qualified URI of the folder. */
    public String uri() {
        return root.toString();
    }

    /** The fully qualified URI of one artifact. */
    public String uri(String name) {
        return path(name).toString();
    }

    public boolean exists(String name) {
        return io(name, () -> fs.exists(path(name)));
    }

    /** Names of the entries directly under {@code dir} (relative to it), sorted; empty if it does not exist. */
    public List<String> list(String dir) {
        return io(dir, () -> {
            Path p = path(dir);
            List<String> names = new ArrayList<>();
            if (fs.exists(p)) {
                for (FileStatus s : fs.listStatus(p)) {
                    names.add(s.getPath().getName());
                }
            }
            names.sort(null);
            return names;
        });
    }

    public long size(String name) {
        return io(name, () -> fs.getFileStatus(path(name)).getLen());
    }

    /** Writes a model zip (DL4J ModelSerializer format), with updater state when {@code updater}. */
    public void writeModel(String name, ComputationGraph graph, boolean updater) {
        write(name, out -> ModelSerializer.writeModel(graph, out, updater));
    }

    /** Writes a model zip without updater state. */
    public void writeModel(String name, ComputationGraph graph) {
        writeModel(name, graph, false);
    }

    public void writeText(String name, String text) {
        write(name, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }

    public String readText(String name) {
        return io(name, () -> {
            try (InputStream in = fs.open(path(name))) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        });
    }

    /** The bytes of one file (a model zip to ship to the executors). */
    public byte[] readBytes(String name) {
        return io(name, () -> {
            try (InputStream in = fs.open(path(name))) {
                return in.readAllBytes();
            }
        });
    }

    /** Reads a model zip of this folder. */
    public ComputationGraph readModel(String name, boolean updater) {
        return io(name, () -> {
            try (InputStream in = fs.open(path(name))) {
                return ModelSerializer.restoreComputationGraph(in, updater);
            }
        });
    }

    /** Reads a model zip from any Hadoop FS URI. */
    public static ComputationGraph readModel(String uri, Configuration hadoop) {
        Path path = new Path(uri);
        try (InputStream in = path.getFileSystem(hadoop).open(path)) {
            return ModelSerializer.restoreComputationGraph(in, false);
        } catch (IOException e) {
            throw new OutputException("model " + uri + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    /** SHA-256 of one file, as lowercase hex. */
    public String sha256(String name) {
        return io(name, () -> {
            MessageDigest digest = sha256();
            try (InputStream in = fs.open(path(name))) {
                byte[] buf = new byte[1 << 16];
                for (int n; (n = in.read(buf)) > 0; ) {
                    digest.update(buf, 0, n);
                }
            }
            return HexFormat.of().formatHex(digest.digest());
        });
    }

    /** Writes {@code name} through a temporary file, then renames it into place. */
    public void write(String name, Writer writer) {
        Path target = path(name);
        Path tmp = path(TMP + "/" + name + ".inprogress");
        try {
            fs.mkdirs(tmp.getParent());
            try (FSDataOutputStream out = fs.create(tmp, true)) {
                writer.write(out);
            }
            fs.mkdirs(target.getParent());
            if (fs.exists(target) && !fs.delete(target, false)) {
                throw new IOException("cannot replace " + target);
            }
            if (!fs.rename(tmp, target)) {
                throw new IOException("rename " + tmp + " -> " + target + " failed");
            }
        } catch (IOException e) {
            try {
                fs.delete(tmp, false);
            } catch (IOException ignored) {
                // best effort: a temporary file is never mistaken for an artifact
            }
            throw new OutputException("output " + target + ": cannot write (" + e.getMessage() + ")", e);
        }
    }

    /** Deletes a file or folder (recursively); no error if it does not exist. */
    public void delete(String name) {
        io(name, () -> fs.delete(path(name), true));
    }

    /** Deletes everything in the folder (for --overwrite). */
    public void clear() {
        for (String name : list("")) {
            delete(name);
        }
    }

    /** Removes the temporary folder once a stage's files are all in place. */
    public void removeTemporaries() {
        delete(TMP);
    }

    /** Writes the content of one artifact. */
    @FunctionalInterface
    public interface Writer {
        void write(OutputStream out) throws IOException;
    }

    private interface IoCall<T> {
        T call() throws IOException;
    }

    private <T> T io(String name, IoCall<T> call) {
        try {
            return call.call();
        } catch (IOException e) {
            throw new OutputException("output " + path(name) + ": " + e.getMessage(), e);
        }
    }

    private Path path(String name) {
        return name.isEmpty() ? root : new Path(root, name);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
