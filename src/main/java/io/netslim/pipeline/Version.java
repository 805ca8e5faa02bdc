package io.netslim.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** netslim's version, from the build (recorded in every run's manifest). */
public final class Version {
    public static final String VERSION = load();

    private Version() {
    }

    private static String load() {
        try (InputStream in = Version.class.getResourceAsStream("/netslim-version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
