package io.netslim.runtime;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * JVM-wide defaults for ND4J's native backend, set before ND4J loads unless the user set them: the natives
 * this build ships (the oneDNN AVX2 build on CPU), DL4J's oneDNN layer helpers switched on, DL4J's Spark
 * statistics on the system clock (their default asks an internet NTP server, and fails without one), headless AWT.
 * Executors in other JVMs get the same through spark.executor.extraJavaOptions ({@link #javaOptions}).
 */
public final class NativeDefaults {
    /** DL4J's clock for its Spark training statistics, and the system clock netslim gives it. */
    public static final String DL4J_TIME_SOURCE = "org.deeplearning4j.spark.time.TimeSource";
    public static final String SYSTEM_CLOCK = "org.deeplearning4j.spark.time.SystemClockTimeSource";

    private NativeDefaults() {
    }

    /** The ND4J and DL4J system properties every JVM that trains needs, in the order they are written as flags. */
    public static Map<String, String> nd4jProperties() {
        Map<String, String> p = new LinkedHashMap<>();
        if (!BuildInfo.ND4J_PLATFORM_EXTENSION.isEmpty()) {
            p.put("org.bytedeco.javacpp.platform.extension", BuildInfo.ND4J_PLATFORM_EXTENSION);
        }
        p.put("org.eclipse.deeplearning4j.helpers.disable", "false");
        p.put(DL4J_TIME_SOURCE, SYSTEM_CLOCK);
        return p;
    }

    public static void apply() {
        nd4jProperties().forEach(NativeDefaults::setIfAbsent);
        setIfAbsent("java.awt.headless", "true"); // plots are drawn without a display
    }

    /** The same properties as JVM flags, plus ND4J's off-heap limit, for an executor's command line. */
    public static String javaOptions(String offHeapLimit) {
        Map<String, String> p = nd4jProperties();
        p.put("org.bytedeco.javacpp.maxbytes", offHeapLimit);
        return p.entrySet().stream().map(e -> "-D" + e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "));
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
