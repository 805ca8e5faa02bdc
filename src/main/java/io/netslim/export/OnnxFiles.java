package io.netslim.export;

import io.netslim.artifacts.OutputException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;

/** Writes one ONNX file to any Hadoop FS URI: under a temporary name beside it, renamed into place when complete. */
public final class OnnxFiles {
    private OnnxFiles() {
    }

    /** Writes {@code bytes} to {@code uri}; an existing file is refused unless {@code overwrite}. */
    public static void write(String uri, byte[] bytes, Configuration hadoop, boolean overwrite) {
        Path target = new Path(uri);
        Path tmp = new Path(target.getParent(), "." + target.getName() + ".inprogress");
        try {
            FileSystem fs = target.getFileSystem(hadoop);
            if (fs.exists(target)) {
                if (!overwrite || fs.getFileStatus(target).isDirectory()) {
                    throw new OutputException(uri + ": exists" + (overwrite ? " and is a directory" : " (pass --overwrite to replace it)"));
                }
            }
            fs.mkdirs(target.getParent());
            try (FSDataOutputStream out = fs.create(tmp, true)) {
                out.write(bytes);
            } catch (IOException e) {
                fs.delete(tmp, false);
                throw e;
            }
            if (fs.exists(target) && !fs.delete(target, false)) {
                throw new IOException("cannot replace " + target);
            }
            if (!fs.rename(tmp, target)) {
                fs.delete(tmp, false);
                throw new IOException("rename " + tmp + " -> " + target + " failed");
            }
        } catch (IOException e) {
            throw new OutputException(uri + ": cannot write (" + e.getMessage() + ")", e);
        }
    }
}
