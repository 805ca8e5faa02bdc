#!/usr/bin/env bash
# netslim on a Spark standalone cluster, client mode: the driver (and with it pruning and fine-tuning) runs
# on this machine, sparsity training on the cluster's executors.
#   submit/standalone.sh MASTER_URL JOB.conf [pipeline options: --set key=value, --until STAGE, ...]
# With submit/local-cluster (1-core workers; see its 'status' for the URLs):
#   SPARK_HOME=target/local-cluster/spark NETSLIM_EXECUTOR_CORES=1 NETSLIM_EXECUTOR_MEMORY=2g \
#     submit/standalone.sh spark://127.0.0.1:7077 conf/quickstart.conf \
#     --set data.path=hdfs://127.0.0.1:9000/data/fashion-mnist --set output=hdfs://127.0.0.1:9000/runs/run1
# Sizes, GPUs and the jar: see submit/lib/spark-submit-args.sh.
set -euo pipefail
[ $# -ge 2 ] || { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
master=$1 conf=$2; shift 2
source "$(dirname "$0")/lib/spark-submit-args.sh"
netslim_submit "$conf" client --master "$master" \
  --total-executor-cores "$((executors * executor_cores))" -- "$@"
