package io.netslim.data;

import io.netslim.artifacts.OutputException;
import io.netslim.config.ConfigException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.nd4j.linalg.dataset.DataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The folder {@code netslim prepare} writes to. Every file goes under {@code _tmp/} first and is renamed into
 * place when complete, so no half-written shard is ever visible; {@code shards.json} comes last and marks the
 * folder complete. Only files of its own layout are ever deleted.
 */
public final class ShardFolder {
    private static final Logger LOG = LoggerFactory.getLogger(ShardFolder.class);
    private static final String TMP = "_tmp";
    private static final Set<String> OWN = Set.of(ShardsManifest.FILE, "train", "test", TMP);

    private ShardFolder() {
    }

    /**
     * Readies {@code uri} for a new set of shards (before Spark starts): refuses a complete folder unless
     * {@code overwrite}, and a folder holding anything but shards; removes the shards of an earlier attempt.
     * Never the folder the shards are prepared from ({@code sourceDir}). Returns the folder's qualified URI.
     */
    public static String begin(String uri, String sourceDir, boolean overwrite, Configuration hadoop) {
        Path root = new Path(uri);
        try {
            FileSystem fs = root.getFileSystem(hadoop);
            root = fs.makeQualified(root);
            Path source = new Path(sourceDir);
            if (root.equals(source.getFileSystem(hadoop).makeQualified(source))) {
                throw new ConfigException("--to " + root + " is data.path, the dataset being prepared; choose another folder");
            }
            if (fs.exists(root) && !fs.getFileStatus(root).isDirectory()) {
                throw new ConfigException("--to " + root + ": exists and is not a directory");
            }
            List<String> foreign = foreign(fs, root);
            if (!foreign.isEmpty()) {
                throw new ConfigException("--to " + root + " holds files that are not netslim shards ("
                        + String.join(", ", foreign.subList(0, Math.min(5, foreign.size())))
                        + "); choose an empty or new folder");
            }
            Path manifest = new Path(root, ShardsManifest.FILE);
            if (fs.exists(manifest)) {
                if (!overwrite) {
                    throw new ConfigException("--to " + root + " already holds a prepared dataset (" + manifest
                            + "); choose another folder or pass --overwrite to replace it");
                }
                delete(fs, manifest);
            }
            for (String dir : List.of("train", "test", TMP)) {
                delete(fs, new Path(root, dir));
            }
            fs.mkdirs(root);
            return root.toString();
        } catch (IOException e) {
            throw new OutputException("--to " + uri + ": cannot prepare the folder (" + e.getMessage() + ")", e);
        }
    }

    /** Writes one shard (on an executor): to a temporary file of this attempt, then renamed to {@code name}. */
    public static void writeShard(String root, String name, DataSet shard, String attempt, Configuration hadoop) {
        Path target = new Path(root, name);
        Path tmp = new Path(root, TMP + "/" + name + "." + attempt);
        try {
            FileSystem fs = target.getFileSystem(hadoop);
            try (FSDataOutputStream out = fs.create(tmp, true)) {
                shard.save(out);
            }
            commit(fs, tmp, target);
        } catch (IOException | RuntimeException e) {
            throw new OutputException("shard " + target + ": cannot write (" + e.getMessage() + ")", e);
        }
    }

    /** Writes shards.json last (on the driver), which marks the folder complete, and removes {@code _tmp/}. */
    public static void finish(String root, ShardsManifest manifest, Configuration hadoop) {
        Path target = new Path(root, ShardsManifest.FILE);
        Path tmp = new Path(root, TMP + "/" + ShardsManifest.FILE);
        try {
            FileSystem fs = target.getFileSystem(hadoop);
            try (FSDataOutputStream out = fs.create(tmp, true)) {
                out.write(manifest.toJson().getBytes(StandardCharsets.UTF_8));
            }
            commit(fs, tmp, target);
            fs.delete(new Path(root, TMP), true);
        } catch (IOException e) {
            throw new OutputException(target + ": cannot write (" + e.getMessage() + ")", e);
        }
    }

    private static void commit(FileSystem fs, Path tmp, Path target) throws IOException {
        fs.mkdirs(target.getParent());
        if (fs.exists(target)) {
            // another attempt of the same task got here first; shards are deterministic, keep either
            if (!fs.delete(target, false) && fs.exists(target)) {
                throw new IOException("cannot replace " + target);
            }
        }
        if (!fs.rename(tmp, target)) {
            fs.delete(tmp, false);
            if (!fs.exists(target)) {
                throw new IOException("rename " + tmp + " -> " + target + " failed");
            }
        }
    }

    /** Entries under {@code root} that a shards folder would not hold. */
    private static List<String> foreign(FileSystem fs, Path root) throws IOException {
        List<String> foreign = new ArrayList<>();
        if (!fs.exists(root)) {
            return foreign;
        }
        for (FileStatus s : fs.listStatus(root)) {
            String name = s.getPath().getName();
            if (!OWN.contains(name) || (name.equals(ShardsManifest.FILE) == s.isDirectory())) {
                foreign.add(name);
            } else if (s.isDirectory() && !name.equals(TMP)) {
                for (FileStatus f : fs.listStatus(s.getPath())) {
                    if (f.isDirectory() || !ShardsDataset.isShardName(f.getPath().getName())) {
                        foreign.add(name + "/" + f.getPath().getName());
                    }
                }
            }
        }
        foreign.sort(null);
        return foreign;
    }

    private static void delete(FileSystem fs, Path p) throws IOException {
        if (fs.exists(p)) {
            LOG.info("removing {} of an earlier prepare", p);
            fs.delete(p, true);
        }
    }
}
