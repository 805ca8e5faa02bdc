package io.netslim.artifacts;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * A run's output folder on any Hadoop FileSystem (file://, hdfs://, s3a://). Every file is written
 * under a temporary name and renamed into place when complete, so a reader never sees half a file.
 */
public final class ArtifactStore {
    private final FileSystem fs;
    private final Path root;

    private ArtifactStore(FileSystem fs, Path root) {
        this.fs = fs;
        this.root = root;
    }

    /** Opens (and creates) the output folder {@code uri}. */
    public static ArtifactStore open(String uri, Configuration hadoop) {
        try {
            Path path = new Path(uri);
            FileSystem fs = path.getFileSystem(hadoop);
            Path root = fs.makeQualified(path);
            fs.mkdirs(root);
            return new ArtifactStore(fs, root);
        } catch (IOException e) {
            throw new UncheckedIOException("output " + uri + ": cannot create (" + e.getMessage() + ")", e);
        }
    }

    /** The fully qualified URI of the folder. */
    public String uri() {
        return root.toString();
    }

    /** The fully qualified URI of one artifact. */
    public String uri(String name) {
        return new Path(root, name).toString();
    }

    public boolean exists(String name) {
        try {
            return fs.exists(new Path(root, name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes a model zip (DL4J ModelSerializer format, without updater state). */
    public void writeModel(String name, ComputationGraph graph) {
        write(name, out -> ModelSerializer.writeModel(graph, out, false));
    }

    public void writeText(String name, String text) {
        write(name, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** Reads a model zip from any Hadoop FS URI. */
    public static ComputationGraph readModel(String uri, Configuration hadoop) {
        Path path = new Path(uri);
        try (InputStream in = path.getFileSystem(hadoop).open(path)) {
            return ModelSerializer.restoreComputationGraph(in, false);
        } catch (IOException e) {
            throw new UncheckedIOException("model " + uri + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    /** Writes {@code name} through a temporary file, then renames it into place. */
    public void write(String name, Writer writer) {
        Path target = new Path(root, name);
        Path tmp = new Path(root, "_tmp/" + name + ".inprogress");
        try {
            fs.mkdirs(tmp.getParent());
            try (FSDataOutputStream out = fs.create(tmp, true)) {
                writer.write(out);
            }
            fs.mkdirs(target.getParent());
            if (fs.exists(target)) {
                fs.delete(target, false);
            }
            if (!fs.rename(tmp, target)) {
                throw new IOException("rename " + tmp + " -> " + target + " failed");
            }
        } catch (IOException e) {
            try {
                fs.delete(tmp, false);
            } catch (IOException ignored) {
                // best effort: the temporary file is never mistaken for an artifact
            }
            throw new UncheckedIOException("output " + target + ": cannot write (" + e.getMessage() + ")", e);
        }
    }

    /** Removes the temporary folder once a stage's files are all in place. */
    public void removeTemporaries() {
        try {
            fs.delete(new Path(root, "_tmp"), true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes the content of one artifact. */
    @FunctionalInterface
    public interface Writer {
        void write(OutputStream out) throws IOException;
    }
}
