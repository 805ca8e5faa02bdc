package io.netslim.pipeline;

import java.io.File;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/** Resolves the run's output URI: the configured one, or a new folder under ./runs/. */
public final class RunOutput {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private RunOutput() {
    }

    public static String resolve(String configured) {
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        File dir = new File("runs", STAMP.format(LocalDateTime.now()));
        for (int i = 1; dir.exists(); i++) {
            dir = new File("runs", STAMP.format(LocalDateTime.now()) + "-" + i);
        }
        return dir.getAbsoluteFile().toURI().toString();
    }
}
