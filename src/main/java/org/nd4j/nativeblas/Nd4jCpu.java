package org.nd4j.nativeblas;

/**
 * Workaround that lets DL4J's oneDNN layer helpers engage (about 10x faster CPU training).
 *
 * <p>DL4J 1.0.0-M2/M2.1 decide whether oneDNN is available by loading {@code
 * org.nd4j.nativeblas.Nd4jCpu$Environment} by name and calling {@code getInstance().isUseMKLDNN()}
 * (BaseMKLDNNHelper, and the helpers' allow/disable utilities). That class no longer exists in these
 * versions: the real one is {@code org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment} with
 * {@code isUseONEDNN()}. The lookup fails, the check is cached as failed, and every conv, BN and pooling
 * layer falls back to the slow built-in path (im2col). This class provides the looked-up name and
 * delegates to the real environment. Nothing else in netslim refers to it; remove it once DL4J fixes
 * the lookup.
 */
public final class Nd4jCpu {
    private Nd4jCpu() {
    }

    /** The name DL4J looks up; delegates (by reflection, so the CUDA build compiles too) to ND4J's real one. */
    public static final class Environment {
        private static final String REAL = "org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment";
        private static final Environment INSTANCE = new Environment();

        private Environment() {
        }

        public static Environment getInstance() {
            return INSTANCE;
        }

        public boolean isUseMKLDNN() {
            return (Boolean) call("isUseONEDNN");
        }

        public void setUseMKLDNN(boolean use) {
            call("setUseONEDNN", use);
        }

        public boolean helpersAllowed() {
            return (Boolean) call("helpersAllowed");
        }

        public void allowHelpers(boolean allow) {
            call("allowHelpers", allow);
        }

        private static Object call(String method, Object... args) {
            try {
                Class<?> c = Class.forName(REAL);
                Object real = c.getMethod("getInstance").invoke(null);
                Class<?>[] types = new Class<?>[args.length];
                for (int i = 0; i < args.length; i++) {
                    types[i] = boolean.class;
                }
                return c.getMethod(method, types).invoke(real, args);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("ND4J CPU environment not available: " + e, e);
            }
        }
    }
}
