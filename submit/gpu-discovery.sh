#!/usr/bin/env bash
# Spark GPU discovery script: prints the GPUs this host (or container) sees, in the JSON Spark expects.
# Used by spark.executor.resource.gpu.discoveryScript (shipped with --files by the launch scripts).
addresses=$(nvidia-smi --query-gpu=index --format=csv,noheader 2>/dev/null | sed 's/.*/"&"/' | paste -sd, -)
echo "{\"name\": \"gpu\", \"addresses\": [${addresses}]}"
