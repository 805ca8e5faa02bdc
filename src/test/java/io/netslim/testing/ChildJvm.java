package io.netslim.testing;

import io.netslim.Main;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs netslim's real entry point ({@code io.netslim.Main}) in a fresh JVM, from the build's classes and the
 * launcher's classpath (what {@code submit/netslim} runs), with {@code -verbose:class}: which classes it loaded.
 */
public final class ChildJvm {
    private static final Pattern LOADED = Pattern.compile("\\[class,load\\] (\\S+) source:");

    /** A finished child: exit code, the classes it loaded, and its log (stderr). */
    public record Result(int exitCode, Set<String> loadedClasses, String log) {
    }

    private ChildJvm() {
    }

    /** Runs {@code io.netslim.Main args...} with its output in {@code dir}; fails after {@code minutes}. */
    public static Result main(Path dir, int minutes, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(command("-verbose:class"));
        cmd.addAll(List.of(args));
        Path out = dir.resolve("stdout.txt");
        Path err = dir.resolve("stderr.txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        pb.environment().put("OMP_WAIT_POLICY", "PASSIVE");
        Process p = pb.start();
        if (!p.waitFor(minutes, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException("netslim " + String.join(" ", args) + " still running after " + minutes
                    + " min; log in " + err);
        }
        Set<String> loaded = new TreeSet<>();
        for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
            Matcher m = LOADED.matcher(line);
            if (m.find()) {
                loaded.add(m.group(1));
            }
        }
        return new Result(p.exitValue(), loaded, Files.readString(err, StandardCharsets.UTF_8));
    }

    /** The command that runs {@code io.netslim.Main} (arguments follow), with {@code jvmFlags} first. */
    public static List<String> command(String... jvmFlags) throws IOException {
        File target = new File("target").getAbsoluteFile();
        String classpath = new File(target, "classes") + File.pathSeparator
                + Files.readString(new File(target, "classpath.txt").toPath()).trim();
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(List.of(jvmFlags));
        cmd.addAll(List.of("-Xmx3g", "-Dorg.bytedeco.javacpp.maxbytes=4G", "-Djava.awt.headless=true",
                "-Dlog4j2.configurationFile=" + new File("conf/log4j2.properties").getAbsolutePath()));
        cmd.addAll(List.of(Files.readString(new File(target, "java-opts").toPath()).trim().split("\\s+")));
        cmd.addAll(List.of("-cp", classpath, "io.netslim.Main"));
        return cmd;
    }
}
