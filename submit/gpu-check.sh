#!/usr/bin/env bash
# What a user with a GPU runs first: trains a few sparsity-training steps of the same network from the same
# start on the same minibatches with the CUDA jar (here, on the GPU, train.kernels = portable: DL4J's stock
# layers on ND4J's CUDA backend) and with the CPU jar (train.kernels = auto: netslim's CPU kernels), then
# compares the BatchNorm gammas they leave: PASS or FAIL with the largest difference. Run it on a machine with
# a GPU, CUDA 11.6 and a Spark installation (its jars/ provide Spark, Hadoop and Jackson, as on the cluster):
#
#   SPARK_HOME=/opt/spark submit/gpu-check.sh target/netslim-VERSION-cluster-cuda.jar target/netslim-VERSION-cluster.jar
#
# Options (before the jars):
#   --steps N            training steps (default 5)
#   --tolerance T        largest gamma difference that passes (default 1e-3; see docs/gpu.md)
#   --set KEY=VALUE      job config for both runs (default: the reference preresnet-20 on 3x32x32 images,
#                        sparsity.lambda 0.01 so that a lost penalty shows), e.g. --set model.arch=vgg-bn
#   --gpu-set KEY=VALUE  for the first (GPU) run only;  --cpu-set KEY=VALUE  for the second run only
#                        (settings the comparison needs equal, such as sparsity.lambda or train.seed,
#                        make the runs another check: refused with exit 6)
# Environment: SPARK_HOME (required), JAVA_HOME, NETSLIM_GPU_CHECK_DIR (where the runs are kept; default a new
# temporary folder), NETSLIM_GPU_CHECK_HEAP (default 4g).
# Exit codes: 0 PASS, 6 FAIL, 2 bad arguments, anything else: a run failed (its output says why).
set -euo pipefail

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2
  exit 2
}
die() { echo "gpu-check: $*" >&2; exit 2; }

steps=5
tolerance=1e-3
both=(--set sparsity.lambda=0.01)
gpu=()
cpu=()
while [ $# -gt 0 ]; do
  case "$1" in
    --steps) [ $# -ge 2 ] || die "--steps needs a value"; steps=$2; shift 2 ;;
    --tolerance) [ $# -ge 2 ] || die "--tolerance needs a value"; tolerance=$2; shift 2 ;;
    --set) [ $# -ge 2 ] || die "--set needs KEY=VALUE"; both+=(--set "$2"); shift 2 ;;
    --gpu-set) [ $# -ge 2 ] || die "--gpu-set needs KEY=VALUE"; gpu+=(--set "$2"); shift 2 ;;
    --cpu-set) [ $# -ge 2 ] || die "--cpu-set needs KEY=VALUE"; cpu+=(--set "$2"); shift 2 ;;
    -h|--help) usage ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) break ;;
  esac
done
[ $# -eq 2 ] || die "expected two jars, the CUDA jar and the CPU jar, after the options (got $#; see --help)"
gpu_jar=$1
cpu_jar=$2
for jar in "$gpu_jar" "$cpu_jar"; do
  [ -f "$jar" ] || die "no such jar: $jar (build them with 'mvn -B package -Pcuda -DskipTests' and 'mvn -B package -DskipTests')"
done
[[ "$steps" =~ ^[1-9][0-9]*$ ]] || die "--steps $steps: expected a positive integer"
[[ "$tolerance" =~ ^[0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?$ ]] || die "--tolerance $tolerance: expected a number >= 0"
[ -n "${SPARK_HOME:-}" ] && [ -d "$SPARK_HOME/jars" ] \
  || die "set SPARK_HOME to a Spark 3.5 installation (its jars/ provide Spark, Hadoop and Jackson)"

java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
dir=${NETSLIM_GPU_CHECK_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/netslim-gpu-check.XXXXXX")}
mkdir -p "$dir"
run() { # jar, then netslim arguments
  local jar=$1
  shift
  OMP_WAIT_POLICY=PASSIVE "$java" -Xmx"${NETSLIM_GPU_CHECK_HEAP:-4g}" -Dorg.bytedeco.javacpp.maxbytes=4G \
    -cp "$jar:$SPARK_HOME/jars/*" io.netslim.Main kernel-check "$@"
}

echo "gpu-check: CPU jar, $steps steps (builds the start network)..." >&2
run "$cpu_jar" --out "$dir/cpu" --steps "$steps" --set train.kernels=auto "${both[@]}" ${cpu[@]+"${cpu[@]}"}
echo "gpu-check: GPU jar, $steps steps from the same start..." >&2
run "$gpu_jar" --out "$dir/gpu" --start "$dir/cpu/start.zip" --steps "$steps" --set train.kernels=portable \
  "${both[@]}" ${gpu[@]+"${gpu[@]}"}
set +e
run "$cpu_jar" --compare "$dir/gpu/result.json" "$dir/cpu/result.json" --tolerance "$tolerance"
code=$?
set -e
if grep -q '"backend" : "CPU"' "$dir/gpu/result.json"; then
  echo "gpu-check: note: the first jar ran on ND4J's CPU backend: no GPU took part in this check" >&2
fi
echo "gpu-check: both runs are in $dir" >&2
exit $code
