#!/usr/bin/env bash
# netslim on Kubernetes, cluster mode: driver and executors run in pods from IMAGE (a Spark 3.5 / Java 17
# image, e.g. apache/spark:3.5.6-java17); the jar and JOB.conf are uploaded to NETSLIM_UPLOAD_PATH (any
# Hadoop FS URI the pods can read, e.g. s3a://bucket/netslim-uploads) and fetched by the driver pod.
#   submit/kubernetes.sh https://K8S_API:443 IMAGE JOB.conf [pipeline options: --set key=value, ...]
# e.g. NETSLIM_UPLOAD_PATH=s3a://ml/netslim-uploads submit/kubernetes.sh https://k8s.example:6443 \
#        apache/spark:3.5.6-java17 conf/fashion-mnist.conf --set output=s3a://ml/netslim/run1
# Environment: NETSLIM_NAMESPACE [default], NETSLIM_SERVICE_ACCOUNT [spark]; sizes, GPUs and the jar: see
# submit/lib/spark-submit-args.sh (GPU pods request nvidia.com/gpu).
set -euo pipefail
[ $# -ge 3 ] || { sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
api=$1 image=$2 conf=$3; shift 3
source "$(dirname "$0")/lib/spark-submit-args.sh"
gpu_vendor=()
[ "$gpus" -gt 0 ] && gpu_vendor=(--conf spark.executor.resource.gpu.vendor=nvidia.com)
netslim_submit "$conf" cluster --master "k8s://$api" \
  --conf "spark.executor.instances=$executors" \
  --conf "spark.kubernetes.container.image=$image" \
  --conf "spark.kubernetes.namespace=${NETSLIM_NAMESPACE:-default}" \
  --conf "spark.kubernetes.authenticate.driver.serviceAccountName=${NETSLIM_SERVICE_ACCOUNT:-spark}" \
  --conf "spark.kubernetes.file.upload.path=${NETSLIM_UPLOAD_PATH:?set NETSLIM_UPLOAD_PATH to a Hadoop FS folder the pods can read}" \
  "${gpu_vendor[@]}" -- "$@"
