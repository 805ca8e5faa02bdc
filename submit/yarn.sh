#!/usr/bin/env bash
# netslim on YARN. client: the driver runs here (logs in this terminal); cluster: the driver runs in a YARN
# container (right for Airflow and cron; logs via 'yarn logs -applicationId ...'). HADOOP_CONF_DIR must
# point at the cluster's configuration.
#   submit/yarn.sh client|cluster JOB.conf [pipeline options: --set key=value, --until STAGE, ...]
# e.g. submit/yarn.sh cluster conf/fashion-mnist.conf --set data.path=hdfs:///datasets/fashion-mnist \
#        --set output=hdfs:///user/$USER/netslim/run1
# Sizes, GPUs and the jar: see submit/lib/spark-submit-args.sh. Set NETSLIM_QUEUE to pick a YARN queue.
set -euo pipefail
[ $# -ge 2 ] && { [ "$1" = client ] || [ "$1" = cluster ]; } || { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
mode=$1 conf=$2; shift 2
source "$(dirname "$0")/lib/spark-submit-args.sh"
netslim_submit "$conf" "$mode" --master yarn --num-executors "$executors" --queue "${NETSLIM_QUEUE:-default}" -- "$@"
