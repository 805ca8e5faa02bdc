package io.netslim.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** Facts fixed at build time: netslim's version (recorded in every run's manifest) and the ND4J natives shipped. */
public final class BuildInfo {
    private static final Properties PROPS = load();

    /** netslim's version. */
    public static final String VERSION = PROPS.getProperty("version", "unknown");

    /** JavaCPP platform extension of the bundled ND4J natives: "-onednn-avx2" for the CPU build, "" for CUDA. */
    public static final String ND4J_PLATFORM_EXTENSION = PROPS.getProperty("nd4j.platform.extension", "-onednn-avx2");

    private BuildInfo() {
    }

    private static Properties load() {
        Properties p = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream("/netslim-version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // no build info: defaults apply
        }
        return p;
    }
}
