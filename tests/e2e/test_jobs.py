"""Jobs and CronJobs with the real kubectl 1.32 and the official Python client: create (imperatively,
from YAML, from a CronJob), get with a 1.32 cluster's columns, describe, wait for completion, a failing
Job stopping at its backoffLimit, validation Statuses, and the Python client's create_from_yaml.

Pods run for real when this machine can run them (busybox's `sh -c "exit N"` as root); otherwise they
are simulated, and the test ends each one the way its command would, through the simulated kubelet's
`kubelite.dev/phase` annotation. `drive` does that only for pods that carry a `Simulated` event, so the
same test checks the real outcome where there is one."""

import json
import re
from datetime import datetime, timedelta

import pytest
from kubernetes import client as k8s_client
from kubernetes import utils as k8s_utils
from kubernetes.client.rest import ApiException

from support import Kubectl, parse_table, wait_for, write_manifest

PHASE_ANNOTATION = "kubelite.dev/phase"


def simulated(server, ns, pod_name):
    events = server.raw("GET", f"/api/v1/namespaces/{ns}/events",
                        params={"fieldSelector": f"involvedObject.name={pod_name},reason=Simulated"}).json()
    return bool(events.get("items"))


def drive(kubectl, server, job, phase):
    """Ends the Job's simulated pods with `phase` (real pods end on their own)."""
    for pod in kubectl.json("get", "pods", "-l", f"job-name={job}")["items"]:
        meta = pod["metadata"]
        if meta.get("deletionTimestamp") or PHASE_ANNOTATION in (meta.get("annotations") or {}):
            continue
        if (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
            continue
        if simulated(server, kubectl.namespace, meta["name"]):
            kubectl("annotate", "pod", meta["name"], f"{PHASE_ANNOTATION}={phase}")


def condition(job, kind):
    for c in (job.get("status") or {}).get("conditions") or []:
        if c["type"] == kind and c["status"] == "True":
            return c
    return None


def wait_job(kubectl, server, name, kind, phase, timeout=60):
    def done():
        drive(kubectl, server, name, phase)
        job = kubectl.json("get", "job", name)
        return condition(job, kind) and job
    return wait_for(done, timeout, f"job {name} {kind}", interval=0.3)


def test_create_job_imperatively_completes(kubectl, server):
    out = kubectl("create", "job", "hello", "--image=busybox", "--", "sh", "-c", "exit 0")
    assert out.strip() == "job.batch/hello created"
    job = kubectl.json("get", "job", "hello")
    spec = job["spec"]
    assert (spec["completions"], spec["parallelism"], spec["backoffLimit"], spec["completionMode"], spec["suspend"]) == \
        (1, 1, 6, "NonIndexed", False)
    uid = job["metadata"]["uid"]
    assert spec["selector"] == {"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}
    assert spec["template"]["metadata"]["labels"]["job-name"] == "hello"

    job = wait_job(kubectl, server, "hello", "Complete", "Succeeded")
    assert job["status"]["succeeded"] == 1 and job["status"].get("completionTime")
    assert condition(job, "SuccessCriteriaMet")["reason"] == "CompletionsReached"
    wait = kubectl.run("wait", "--for=condition=complete", "job/hello", "--timeout=30s", timeout=60)
    assert wait.returncode == 0 and wait.stdout.strip() == "job.batch/hello condition met", wait.stderr

    pods = kubectl.json("get", "pods", "-l", "job-name=hello")["items"]
    assert len(pods) == 1
    pod = pods[0]
    assert pod["metadata"]["name"].startswith("hello-")
    assert pod["status"]["phase"] == "Succeeded"
    assert pod["metadata"]["ownerReferences"][0]["kind"] == "Job"
    # The tracking finalizer is gone once the pod is counted.
    wait_for(lambda: not kubectl.json("get", "pod", pod["metadata"]["name"])["metadata"].get("finalizers"), 10,
             "the job-tracking finalizer to be removed")

    table = parse_table(kubectl("get", "jobs"))[0]
    assert table["header"] == ["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"]
    row = table["rows"][0]
    assert (row["NAME"], row["STATUS"], row["COMPLETIONS"]) == ("hello", "Complete", "1/1")
    assert re.fullmatch(r"\d+s", row["DURATION"]), row
    wide = parse_table(kubectl("get", "job", "hello", "-o", "wide"))[0]
    assert wide["header"] == ["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE", "CONTAINERS", "IMAGES", "SELECTOR"]
    assert (wide["rows"][0]["CONTAINERS"], wide["rows"][0]["IMAGES"]) == ("hello", "busybox")
    assert wide["rows"][0]["SELECTOR"] == f"batch.kubernetes.io/controller-uid={uid}"

    described = kubectl("describe", "job", "hello")
    assert re.search(r"Pods Statuses:\s+0 Active \(0 Ready\) / 1 Succeeded / 0 Failed", described), described
    assert re.search(r"Completions:\s+1", described) and re.search(r"Parallelism:\s+1", described), described
    assert re.search(r"SuccessfulCreate\s+\S+\s+job-controller\s+Created pod: hello-", described), described
    assert re.search(r"Completed\s+\S+\s+job-controller\s+Job completed", described), described


def test_failing_job_stops_at_its_backoff_limit(kubectl, server, tmp_path):
    # backoffLimit 1: one retry, after upstream's first 10 s backoff.
    manifest = write_manifest(tmp_path, "fail.yaml", {
        "apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "fail"},
        "spec": {"backoffLimit": 1, "template": {"spec": {"restartPolicy": "Never", "containers": [
            {"name": "c", "image": "busybox", "command": ["sh", "-c", "exit 1"]}]}}}})
    assert kubectl("apply", "-f", manifest).strip() == "job.batch/fail created"
    job = wait_job(kubectl, server, "fail", "Failed", "Failed", timeout=90)
    failed = condition(job, "Failed")
    assert (failed["reason"], failed["message"]) == ("BackoffLimitExceeded", "Job has reached the specified backoff limit")
    assert condition(job, "FailureTarget")["reason"] == "BackoffLimitExceeded"
    assert job["status"]["failed"] == 2 and not job["status"].get("succeeded")
    assert not job["status"].get("completionTime")
    pods = kubectl.json("get", "pods", "-l", "job-name=fail")["items"]
    assert len(pods) == 2 and all(p["status"]["phase"] == "Failed" for p in pods)
    first, second = sorted(pods, key=lambda p: p["metadata"]["creationTimestamp"])
    row = parse_table(kubectl("get", "job", "fail"))[0]["rows"][0]
    assert (row["STATUS"], row["COMPLETIONS"]) == ("Failed", "0/1")
    described = kubectl("describe", "job", "fail")
    assert re.search(r"Warning\s+BackoffLimitExceeded\s+\S+\s+job-controller\s+Job has reached the specified backoff limit",
                     described), described
    assert "1 Succeeded" not in described and re.search(r"0 Active \(0 Ready\) / 0 Succeeded / 2 Failed", described), described


def test_invalid_jobs_get_upstreams_statuses(kubectl, server, clients, ns):
    result = kubectl.run("create", "-f", "-", input="""
apiVersion: batch/v1
kind: Job
metadata: {name: always}
spec:
  template:
    spec:
      restartPolicy: Always
      containers: [{name: c, image: busybox}]
""")
    assert result.returncode != 0
    assert ('The Job "always" is invalid: spec.template.spec.restartPolicy: Required value: '
            'valid values: "OnFailure", "Never"') in result.stderr, result.stderr

    batch = k8s_client.BatchV1Api(clients.api_client)
    body = {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "badcron"},
            "spec": {"schedule": "61 * * * *", "jobTemplate": {"spec": {"template": {"spec": {
                "restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox"}]}}}}}}
    with pytest.raises(ApiException) as raised:
        batch.create_namespaced_cron_job(ns, body)
    assert raised.value.status == 422
    status = json.loads(raised.value.body)
    assert status["reason"] == "Invalid"
    assert status["details"]["causes"] == [{"reason": "FieldValueInvalid", "field": "spec.schedule",
                                            "message": 'Invalid value: "61 * * * *": end of range (61) above maximum (59): 61'}]

    kubectl("create", "job", "imm", "--image=busybox", "--", "sh", "-c", "exit 0")
    patched = kubectl.run("patch", "job", "imm", "--type=merge", "-p", '{"spec":{"completions":3}}')
    assert patched.returncode != 0 and "spec.completions: Invalid value: 3: field is immutable" in patched.stderr, patched.stderr
    assert kubectl("patch", "job", "imm", "--type=merge", "-p", '{"spec":{"activeDeadlineSeconds":600}}').strip() == \
        "job.batch/imm patched"


def test_cronjob_columns_and_job_from_cronjob(kubectl, server):
    out = kubectl("create", "cronjob", "tick", "--image=busybox", "--schedule=*/5 * * * *", "--", "sh", "-c", "exit 0")
    assert out.strip() == "cronjob.batch/tick created"
    cj = kubectl.json("get", "cj", "tick")
    spec = cj["spec"]
    assert (spec["concurrencyPolicy"], spec["suspend"], spec["successfulJobsHistoryLimit"], spec["failedJobsHistoryLimit"]) == \
        ("Allow", False, 3, 1)
    table = parse_table(kubectl("get", "cronjobs"))[0]
    assert table["header"] == ["NAME", "SCHEDULE", "TIMEZONE", "SUSPEND", "ACTIVE", "LAST SCHEDULE", "AGE"]
    row = table["rows"][0]
    assert (row["NAME"], row["SCHEDULE"], row["TIMEZONE"], row["SUSPEND"], row["ACTIVE"], row["LAST SCHEDULE"]) == \
        ("tick", "*/5 * * * *", "<none>", "False", "0", "<none>")
    assert "tick" in kubectl("get", "all")

    out = kubectl("create", "job", "manual", "--from=cronjob/tick")
    assert out.strip() == "job.batch/manual created"
    job = kubectl.json("get", "job", "manual")
    assert job["metadata"]["annotations"]["cronjob.kubernetes.io/instantiate"] == "manual"
    owner = job["metadata"]["ownerReferences"][0]
    assert (owner["kind"], owner["name"], owner["uid"]) == ("CronJob", "tick", cj["metadata"]["uid"])
    wait_job(kubectl, server, "manual", "Complete", "Succeeded")


def test_python_client_creates_a_job_and_a_cronjob_from_yaml(server, clients, ns, tmp_path):
    path = tmp_path / "batch.yaml"
    path.write_text("""
apiVersion: batch/v1
kind: Job
metadata: {name: yaml-job}
spec:
  completions: 2
  parallelism: 2
  template:
    spec:
      restartPolicy: Never
      containers: [{name: c, image: busybox, command: [sh, -c, "exit 0"]}]
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: yaml-cron}
spec:
  schedule: "@hourly"
  timeZone: Europe/Paris
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers: [{name: c, image: busybox}]
""")
    created = k8s_utils.create_from_yaml(clients.api_client, str(path), namespace=ns)
    kinds = sorted(obj.kind for group in created for obj in group)
    assert kinds == ["CronJob", "Job"]
    batch = k8s_client.BatchV1Api(clients.api_client)
    cron = batch.read_namespaced_cron_job("yaml-cron", ns)
    assert (cron.spec.schedule, cron.spec.time_zone, cron.spec.concurrency_policy) == ("@hourly", "Europe/Paris", "Allow")
    job = batch.read_namespaced_job("yaml-job", ns)
    assert (job.spec.completions, job.spec.parallelism, job.spec.backoff_limit) == (2, 2, 6)
    assert job.spec.pod_replacement_policy == "TerminatingOrFailed"
    listed = batch.list_namespaced_job(ns)
    assert [j.metadata.name for j in listed.items] == ["yaml-job"]


def test_testing_clock_is_off_by_default(raw):
    response = raw("POST", "/kubelite/testing/clock", body={"advanceSeconds": 60})
    assert response.status_code == 404 and response.json()["reason"] == "NotFound"


def test_a_cronjob_fires_on_the_clock_a_test_moves(start_server, kubectl_cache, tmp_path):
    """With `serve --testing-clock` the cluster's clock moves forward on request: the CronJob's next
    scheduled time comes at once, and the Job it starts is named after that minute."""
    server = start_server("--testing-clock")
    ns = "clock"
    server.raw("POST", "/api/v1/namespaces", body={"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
    kubectl = Kubectl(server, kubectl_cache, namespace=ns)
    kubectl("create", "cronjob", "hourly", "--image=busybox", "--schedule=0 * * * *", "--", "sh", "-c", "exit 0")
    cj = kubectl.json("get", "cronjob", "hourly")
    assert not (cj.get("status") or {}).get("lastScheduleTime")

    clock = server.raw("GET", "/kubelite/testing/clock").json()
    now = datetime.fromisoformat(clock["now"].replace("Z", "+00:00"))
    next_hour = (now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1))
    # Just short of the hour nothing runs; one second past it the Job starts.
    moved = server.raw("POST", "/kubelite/testing/clock", body={"advanceSeconds": (next_hour - now).total_seconds() - 2})
    assert moved.status_code == 200, moved.text
    assert kubectl.json("get", "jobs")["items"] == []
    server.raw("POST", "/kubelite/testing/clock", body={"advanceSeconds": 3})
    expected = f"hourly-{int(next_hour.timestamp()) // 60}"
    job = wait_for(lambda: kubectl.json("get", "jobs")["items"], 15, "the scheduled job")[0]
    assert job["metadata"]["name"] == expected
    assert job["metadata"]["annotations"]["batch.kubernetes.io/cronjob-scheduled-timestamp"] == \
        next_hour.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert job["metadata"]["ownerReferences"][0]["name"] == "hourly"

    def status():
        cj = kubectl.json("get", "cronjob", "hourly")
        return (cj.get("status") or {}).get("lastScheduleTime") and cj
    cj = wait_for(status, 15, "the cronjob's status")
    assert cj["status"]["lastScheduleTime"] == next_hour.strftime("%Y-%m-%dT%H:%M:%SZ")
    row = parse_table(kubectl("get", "cronjob", "hourly"))[0]["rows"][0]
    assert row["LAST SCHEDULE"] != "<none>"

    wait_job(kubectl, server, expected, "Complete", "Succeeded")
    cj = wait_for(lambda: (c := kubectl.json("get", "cronjob", "hourly")).get("status", {}).get("lastSuccessfulTime") and
                  not c["status"].get("active") and c, 15, "the cronjob to see the job succeed")
    described = kubectl("describe", "cronjob", "hourly")
    assert re.search(rf"SuccessfulCreate\s+.*cronjob-controller\s+Created job {expected}", described), described
    assert re.search(rf"SawCompletedJob\s+.*cronjob-controller\s+Saw completed job: {expected}, condition: Complete", described), described


def running(kubectl, job):
    pods = kubectl.json("get", "pods", "-l", f"job-name={job}")["items"]
    return [p for p in pods if (p.get("status") or {}).get("phase") == "Running"]


def test_deleting_a_job(kubectl, server, ns):
    """kubectl deletes a Job's pods with it (it asks for background propagation); a DELETE naming no
    policy orphans them with upstream's warning, and the orphans lose the job-tracking finalizer."""
    kubectl("create", "job", "gone", "--image=busybox", "--", "sh", "-c", "sleep 300")
    wait_for(lambda: running(kubectl, "gone"), 20, "the job's pod to run")
    assert kubectl("delete", "job", "gone").strip() == 'job.batch "gone" deleted'
    wait_for(lambda: not kubectl.json("get", "pods", "-l", "job-name=gone")["items"], 30, "the pod to go with the job")

    kubectl("create", "job", "kept", "--image=busybox", "--", "sh", "-c", "sleep 300")
    pod = wait_for(lambda: running(kubectl, "kept"), 20, "the job's pod to run")[0]
    response = server.raw("DELETE", f"/apis/batch/v1/namespaces/{ns}/jobs/kept")
    assert response.status_code == 200, response.text
    assert response.headers["Warning"] == (
        '299 - "child pods are preserved by default when jobs are deleted; set propagationPolicy=Background '
        'to remove them or set propagationPolicy=Orphan to suppress this warning"')

    def orphaned():
        p = kubectl.json("get", "pod", pod["metadata"]["name"])
        meta = p["metadata"]
        return not meta.get("ownerReferences") and not meta.get("finalizers") and not meta.get("deletionTimestamp")
    wait_for(orphaned, 20, "the pod to be orphaned, without the tracking finalizer")
    assert kubectl.run("get", "job", "kept").returncode != 0


def test_indexed_job(kubectl, server, tmp_path):
    manifest = write_manifest(tmp_path, "indexed.yaml", {
        "apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "idx"},
        "spec": {"completions": 3, "parallelism": 3, "completionMode": "Indexed",
                 "template": {"spec": {"restartPolicy": "Never", "containers": [
                     {"name": "c", "image": "busybox", "command": ["sh", "-c", "echo index=$JOB_COMPLETION_INDEX"]}]}}}})
    kubectl("apply", "-f", manifest)
    job = wait_job(kubectl, server, "idx", "Complete", "Succeeded")
    assert job["status"]["completedIndexes"] == "0-2" and job["status"]["succeeded"] == 3
    pods = kubectl.json("get", "pods", "-l", "job-name=idx")["items"]
    by_index = {p["metadata"]["annotations"]["batch.kubernetes.io/job-completion-index"]: p for p in pods}
    assert sorted(by_index) == ["0", "1", "2"]
    for index, pod in by_index.items():
        assert pod["metadata"]["labels"]["batch.kubernetes.io/job-completion-index"] == index
        assert pod["metadata"]["name"].startswith(f"idx-{index}-")
        assert pod["spec"]["hostname"] == f"idx-{index}"
        if not simulated(server, kubectl.namespace, pod["metadata"]["name"]):
            assert kubectl("logs", pod["metadata"]["name"]).strip() == f"index={index}"
    row = parse_table(kubectl("get", "job", "idx"))[0]["rows"][0]
    assert (row["STATUS"], row["COMPLETIONS"]) == ("Complete", "3/3")


def test_pod_failure_policy_fails_the_job_at_once(kubectl, server, tmp_path):
    manifest = write_manifest(tmp_path, "pfp.yaml", {
        "apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "pfp"},
        "spec": {"backoffLimit": 6,
                 "podFailurePolicy": {"rules": [{"action": "FailJob", "onExitCodes": {"containerName": "main", "operator": "In", "values": [1]}}]},
                 "template": {"spec": {"restartPolicy": "Never", "containers": [
                     {"name": "main", "image": "busybox", "command": ["sh", "-c", "exit 1"]}]}}}})
    kubectl("apply", "-f", manifest)
    assert kubectl.json("get", "job", "pfp")["spec"]["podReplacementPolicy"] == "Failed"
    job = wait_job(kubectl, server, "pfp", "Failed", "Failed", timeout=30)
    pod = kubectl.json("get", "pods", "-l", "job-name=pfp")["items"][0]["metadata"]["name"]
    failed = condition(job, "Failed")
    assert failed["reason"] == "PodFailurePolicy"
    assert failed["message"] == f"Container main for pod {kubectl.namespace}/{pod} failed with exit code 1 matching FailJob rule at index 0"
    assert job["status"]["failed"] == 1


def test_a_finished_job_goes_after_its_ttl_on_the_moved_clock(start_server, kubectl_cache):
    server = start_server("--testing-clock")
    ns = "ttl"
    server.raw("POST", "/api/v1/namespaces", body={"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
    kubectl = Kubectl(server, kubectl_cache, namespace=ns)
    kubectl("create", "-f", "-", input="""
apiVersion: batch/v1
kind: Job
metadata: {name: short-lived}
spec:
  ttlSecondsAfterFinished: 3600
  template:
    spec:
      restartPolicy: Never
      containers: [{name: c, image: busybox, command: [sh, -c, "exit 0"]}]
""")
    wait_job(kubectl, server, "short-lived", "Complete", "Succeeded")
    server.raw("POST", "/kubelite/testing/clock", body={"advanceSeconds": 3500})
    assert kubectl.run("get", "job", "short-lived").returncode == 0
    server.raw("POST", "/kubelite/testing/clock", body={"advanceSeconds": 101})
    wait_for(lambda: kubectl.run("get", "job", "short-lived").returncode != 0, 15, "the job to be deleted after its TTL")
    wait_for(lambda: not kubectl.json("get", "pods")["items"], 30, "its pod to go with it")
