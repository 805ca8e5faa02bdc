# Sourced by the launch scripts (standalone.sh, yarn.sh, kubernetes.sh): the cluster jar and the spark-submit
# options every netslim job needs, in the array netslim_submit_args. Environment, defaults in brackets:
#   SPARK_HOME                  the Spark installation whose bin/spark-submit is used
#   NETSLIM_JAR                 the application jar [target/netslim-*-cluster.jar, or -cluster-cuda.jar with GPUs]
#   NETSLIM_EXECUTORS           executors = data-parallel workers [2]
#   NETSLIM_EXECUTOR_CORES      cores per executor, also its OpenMP threads [4]
#   NETSLIM_EXECUTOR_MEMORY     executor JVM heap [4g]
#   NETSLIM_EXECUTOR_OFFHEAP    ND4J off-heap per executor, in GiB: javacpp maxbytes, and with 1 GiB more the
#                               container's spark.executor.memoryOverhead on YARN and Kubernetes [6]
#   NETSLIM_DRIVER_MEMORY       driver heap; the driver also prunes and fine-tunes [6g]
#   NETSLIM_DRIVER_OFFHEAP      ND4J off-heap of the driver, in GiB [8]
#   NETSLIM_GPUS_PER_EXECUTOR   GPUs per executor; > 0 switches to the CUDA jar and Spark's GPU scheduling [0]
#   NETSLIM_DRY_RUN             1 = print the spark-submit command (one argument per line) instead of running it
netslim_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
executors="${NETSLIM_EXECUTORS:-2}"
executor_cores="${NETSLIM_EXECUTOR_CORES:-4}"
executor_offheap="${NETSLIM_EXECUTOR_OFFHEAP:-6}"
driver_offheap="${NETSLIM_DRIVER_OFFHEAP:-8}"
gpus="${NETSLIM_GPUS_PER_EXECUTOR:-0}"

if [ "$gpus" -gt 0 ]; then
  # CUDA build (mvn package -Pcuda): its natives have no platform extension.
  netslim_jar="${NETSLIM_JAR:-$(ls "$netslim_root"/target/netslim-*-cluster-cuda.jar 2>/dev/null | head -1 || true)}"
  native_flags="-Dorg.eclipse.deeplearning4j.helpers.disable=false"
else
  netslim_jar="${NETSLIM_JAR:-$(ls "$netslim_root"/target/netslim-*-cluster.jar 2>/dev/null | head -1 || true)}"
  native_flags="-Dorg.bytedeco.javacpp.platform.extension=-onednn-avx2 -Dorg.eclipse.deeplearning4j.helpers.disable=false"
fi
# DL4J's Spark statistics (train.averaging-frequency = auto measures rounds with them) on the system clock:
# their default clock asks an internet NTP server and fails without one.
native_flags="$native_flags -Dorg.deeplearning4j.spark.time.TimeSource=org.deeplearning4j.spark.time.SystemClockTimeSource"
if [ -z "$netslim_jar" ]; then
  echo "netslim: no cluster jar in $netslim_root/target: build it with" \
    "'mvn -B package -DskipTests$([ "$gpus" -gt 0 ] && echo ' -Pcuda')', or set NETSLIM_JAR" >&2
  exit 2
fi

netslim_submit_args=(
  --class io.netslim.Main
  --driver-memory "${NETSLIM_DRIVER_MEMORY:-6g}"
  --executor-memory "${NETSLIM_EXECUTOR_MEMORY:-4g}"
  --executor-cores "$executor_cores"
  # Kryo with ND4J's registrator: INDArrays (parameters, minibatches) serialise compactly.
  --conf spark.serializer=org.apache.spark.serializer.KryoSerializer
  --conf spark.kryo.registrator=org.nd4j.kryo.Nd4jRegistrator
  --conf spark.kryoserializer.buffer.max=512m
  # ND4J keeps tensors off the JVM heap: cap them (javacpp maxbytes) and tell YARN/Kubernetes about them.
  --conf "spark.executor.memoryOverhead=$((executor_offheap + 1))g"
  --conf "spark.executor.extraJavaOptions=$native_flags -Dorg.bytedeco.javacpp.maxbytes=${executor_offheap}G"
  --conf "spark.driver.extraJavaOptions=$native_flags -Dorg.bytedeco.javacpp.maxbytes=${driver_offheap}G"
  --conf "spark.driver.memoryOverhead=$((driver_offheap + 1))g"
  # One OpenMP thread per core Spark gives the executor; no spin-waiting on shared cores.
  --conf "spark.executorEnv.OMP_NUM_THREADS=$executor_cores"
  --conf spark.executorEnv.OMP_WAIT_POLICY=PASSIVE
  # A lost executor's tasks are retried elsewhere; a rerun of the job resumes from its checkpoints.
  --conf spark.task.maxFailures=4
)
# (Spark's own launcher adds the Java 17 --add-opens flags to the driver and executors.)

if [ "$gpus" -gt 0 ]; then
  # Spark's resource scheduling: each executor gets its GPUs, each training task all of them (one task per
  # executor at a time, as parameter averaging expects). The discovery script is shipped with --files.
  netslim_submit_args+=(
    --conf "spark.executor.resource.gpu.amount=$gpus"
    --conf "spark.task.resource.gpu.amount=$gpus"
    --conf spark.executor.resource.gpu.discoveryScript=./gpu-discovery.sh
    --conf spark.driver.resource.gpu.amount=1
    --conf "spark.driver.resource.gpu.discoveryScript=$netslim_root/submit/gpu-discovery.sh"
  )
  netslim_files="$netslim_root/submit/gpu-discovery.sh"
else
  netslim_files=""
fi

# netslim_submit JOB_CONF DEPLOY_MODE SPARK_SUBMIT_OPTIONS... -- NETSLIM_ARGS...: ships JOB_CONF with --files
# and runs 'netslim pipeline --conf JOB_CONF NETSLIM_ARGS...' (in cluster mode the driver reads the shipped copy).
netslim_submit() {
  local conf=$1 mode=$2; shift 2
  [ -f "$conf" ] || { echo "netslim: job config '$conf' does not exist" >&2; exit 2; }
  local opts=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do opts+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  local conf_arg="$conf"
  [ "$mode" = cluster ] && conf_arg=$(basename "$conf")
  local cmd=("${SPARK_HOME:?set SPARK_HOME to the Spark installation}/bin/spark-submit" --deploy-mode "$mode"
    "${opts[@]}" "${netslim_submit_args[@]}" --files "$conf${netslim_files:+,$netslim_files}"
    "$netslim_jar" pipeline --conf "$conf_arg" "$@")
  if [ "${NETSLIM_DRY_RUN:-0}" = 1 ]; then
    printf '%s\n' "${cmd[@]}" # one argument per line
  else
    exec "${cmd[@]}"
  fi
}
