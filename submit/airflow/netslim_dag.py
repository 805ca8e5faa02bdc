"""Airflow DAGs that run netslim with SparkSubmitOperator (Airflow 2, apache-airflow-providers-apache-spark).

netslim_slimming          the whole job as one task: sparsity training on the cluster, pruning, fine-tuning.
netslim_slimming_stages   the same as three tasks, train >> prune >> finetune, on one output URI per run date.

The Spark connection (conn_id) holds the master and deploy mode; cluster mode on YARN is the usual choice, so
the job config is shipped with `files` and named by its base name. Retries are safe: a rerun on the same output
skips the stages already committed and resumes training from its newest checkpoint; a finished run does
nothing. netslim's exit codes: 0 done, 1 unexpected failure (worth a retry), 2 bad config or usage, 3 bad
input data, 4 training diverged, 5 output damaged or unreadable (2-5 need a person, not a retry).
"""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

# Built by `mvn package` (target/netslim-*-cluster.jar) and copied where the cluster can read it.
JAR = "hdfs:///apps/netslim/netslim-0.1.0-SNAPSHOT-cluster.jar"
JOB_CONF = "/opt/netslim/conf/fashion-mnist.conf"
# One run folder per run date, shared by every task of that run (templated by Airflow).
OUTPUT = "hdfs:///netslim/runs/{{ ds_nodash }}"

# The same Spark properties as submit/lib/spark-submit-args.sh uses.
EXECUTOR_CORES = 4
EXECUTOR_OFFHEAP_GB = 6
DRIVER_OFFHEAP_GB = 8
# DL4J's Spark statistics (train.averaging-frequency = auto) on the system clock, not an internet NTP server.
NATIVE_FLAGS = ("-Dorg.bytedeco.javacpp.platform.extension=-onednn-avx2 -Dorg.eclipse.deeplearning4j.helpers.disable=false"
                " -Dorg.deeplearning4j.spark.time.TimeSource=org.deeplearning4j.spark.time.SystemClockTimeSource")
SPARK_CONF = {
    "spark.serializer": "org.apache.spark.serializer.KryoSerializer",
    "spark.kryo.registrator": "org.nd4j.kryo.Nd4jRegistrator",
    "spark.kryoserializer.buffer.max": "512m",
    "spark.executor.memoryOverhead": f"{EXECUTOR_OFFHEAP_GB + 1}g",
    "spark.executor.extraJavaOptions": f"{NATIVE_FLAGS} -Dorg.bytedeco.javacpp.maxbytes={EXECUTOR_OFFHEAP_GB}G",
    "spark.driver.extraJavaOptions": f"{NATIVE_FLAGS} -Dorg.bytedeco.javacpp.maxbytes={DRIVER_OFFHEAP_GB}G",
    "spark.driver.memoryOverhead": f"{DRIVER_OFFHEAP_GB + 1}g",
    "spark.executorEnv.OMP_NUM_THREADS": str(EXECUTOR_CORES),
    "spark.executorEnv.OMP_WAIT_POLICY": "PASSIVE",
    "spark.task.maxFailures": "4",
}

DEFAULT_ARGS = {
    "owner": "ml-platform",
    "retries": 2,
    "retry_delay": timedelta(minutes=5),
}


def pipeline_args(*extra):
    """The netslim command line of a task: `pipeline` on the run's output, plus extra options."""
    return ["pipeline", "--conf", JOB_CONF.rsplit("/", 1)[-1], "--set", f"output={OUTPUT}", *extra]


def netslim_task(task_id, *extra):
    return SparkSubmitOperator(
        task_id=task_id,
        conn_id="spark_default",
        application=JAR,
        java_class="io.netslim.Main",
        files=JOB_CONF,
        application_args=pipeline_args(*extra),
        conf=SPARK_CONF,
        num_executors=2,
        executor_cores=EXECUTOR_CORES,
        executor_memory="4g",
        driver_memory="6g",
        name=f"netslim-{task_id}",
    )


with DAG(
    dag_id="netslim_slimming",
    description="Network Slimming: sparsity training on Spark, pruning, fine-tuning",
    start_date=datetime(2026, 1, 1),
    schedule=None,
    catchup=False,
    default_args=DEFAULT_ARGS,
    tags=["netslim"],
):
    netslim_task("slim")

with DAG(
    dag_id="netslim_slimming_stages",
    description="Network Slimming as three tasks on one output: train >> prune >> finetune",
    start_date=datetime(2026, 1, 1),
    schedule=None,
    catchup=False,
    default_args=DEFAULT_ARGS,
    tags=["netslim"],
):
    train = netslim_task("train", "--until", "sparse")
    prune = netslim_task("prune", "--until", "prune")
    finetune = netslim_task("finetune")  # fine-tunes, evaluates and writes the report
    train >> prune >> finetune
