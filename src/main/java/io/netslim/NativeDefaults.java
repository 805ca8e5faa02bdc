package io.netslim;

/**
 * JVM-wide defaults for ND4J's native backend, set before ND4J loads unless the user set them:
 * the oneDNN (AVX2) build of the CPU natives, DL4J's oneDNN layer helpers switched on, headless AWT.
 * Executors in other JVMs get the same through spark.executor.extraJavaOptions (see submit/).
 */
public final class NativeDefaults {
    private NativeDefaults() {
    }

    public static void apply() {
        setIfAbsent("org.bytedeco.javacpp.platform.extension", "-onednn-avx2");
        setIfAbsent("org.eclipse.deeplearning4j.helpers.disable", "false");
        setIfAbsent("java.awt.headless", "true"); // plots are drawn without a display
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
