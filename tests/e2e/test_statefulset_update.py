"""StatefulSet updates with the real kubectl: `set image` rolls pods from the highest ordinal down, a partition
keeps lower ordinals, `rollout undo/history/restart/status` work as on a cluster, OnDelete replaces only deleted
pods, and the status counts and revisions are right at each step."""

import copy
import re

from support import (EventLog, describe_events, load_manifest, name_of, observed, pod_running_and_ready,
                     pod_terminating, pods_by_name, replay, assert_holds, settled, wait_for, wait_statefulset,
                     write_manifest)

SELECTOR = "app=redis-sts"
NEW_IMAGE = "redis:7"
OLD_IMAGE = "redis:5-alpine"


def apply_replicas(kubectl, tmp_path, replicas):
    document = copy.deepcopy(load_manifest("redis-sts.yml"))
    document["spec"]["replicas"] = replicas
    kubectl("apply", "-f", write_manifest(tmp_path, f"redis-sts-{replicas}.yml", document))
    return wait_statefulset(kubectl, "redis-sts", settled(replicas), 90, f"redis-sts {replicas}/{replicas}", SELECTOR)


def set_image(kubectl, image=NEW_IMAGE):
    out = kubectl("set", "image", "sts/redis-sts", f"redis={image}")
    assert out.strip() == "statefulset.apps/redis-sts image updated", out


def rollout_status(kubectl):
    result = kubectl.run("rollout", "status", "sts/redis-sts", "--timeout=60s")
    assert result.returncode == 0, f"rollout status failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout.strip().splitlines()[-1]


def image(pod):
    return pod["spec"]["containers"][0]["image"]


def revision(pod):
    return pod["metadata"]["labels"]["controller-revision-hash"]


def history_revisions(kubectl):
    out = kubectl("rollout", "history", "sts/redis-sts")
    lines = out.strip().splitlines()
    assert lines[0].strip() == "statefulset.apps/redis-sts", out
    assert re.fullmatch(r"REVISION\s+CHANGE-CAUSE", lines[1].strip()), out
    rows = [re.fullmatch(r"(\d+)\s+(.*)", line.strip()) for line in lines[2:]]
    assert all(rows), out
    return [int(row.group(1)) for row in rows]


def revisions_by_name(kubectl):
    return {r["metadata"]["name"]: r["revision"] for r in kubectl.json("get", "controllerrevisions")["items"]}


def status_of(kubectl):
    return kubectl.json("get", "sts", "redis-sts")["status"]


def with_status(**expected):
    """Predicate: the controller observed the latest spec and these status fields have these values
    (a missing count reads as 0, as the API omits zero readyReplicas/currentReplicas/updatedReplicas)."""
    def check(sts):
        status = sts.get("status") or {}
        return observed(sts) and all(status.get(k, 0 if k.endswith("Replicas") else None) == v
                                     for k, v in expected.items())
    return check


def test_image_change_rolls_from_highest_ordinal_down(kubectl, tmp_path, server, ns):
    before = apply_replicas(kubectl, tmp_path, 3)
    old = before["status"]["currentRevision"]

    with EventLog(server, f"/api/v1/namespaces/{ns}/pods") as pods_log, \
            EventLog(server, f"/apis/apps/v1/namespaces/{ns}/statefulsets") as sts_log:
        set_image(kubectl)
        assert rollout_status(kubectl) == "partitioned roll out complete: 3 new pods have been updated..."
        sts = wait_statefulset(kubectl, "redis-sts", settled(3), 30, "rollout finished", SELECTOR)
        events = pods_log.snapshot()
        sts_events = sts_log.snapshot()
    new = sts["status"]["updateRevision"]
    assert new != old and sts["status"]["currentRevision"] == new, sts["status"]
    assert sts["metadata"]["generation"] == 2 and sts["status"]["observedGeneration"] == 2
    pods = pods_by_name(kubectl, SELECTOR)
    assert {n: (image(p), revision(p)) for n, p in pods.items()} == {
        f"redis-sts-{i}": (NEW_IMAGE, new) for i in range(3)}
    assert revisions_by_name(kubectl) == {old: 1, new: 2}

    # Pods: replaced 2, then 1, then 0; each only once the higher one is back, updated, Running and Ready.
    timeline = describe_events(events)
    starts = {}
    for index, (event, state) in enumerate(replay(events)):
        name = name_of(event)
        if name not in starts and (event["type"] == "DELETED" or pod_terminating(event["object"])):
            starts[name] = index
            others = [p for n, p in state.items() if n != name]
            assert len(others) == 2 and all(pod_running_and_ready(p) and not pod_terminating(p) for p in others), (
                f"{name} was taken down while another pod was unavailable (event {index}):\n{timeline}")
            higher = f"redis-sts-{int(name[-1]) + 1}"
            if higher in state:
                assert revision(state[higher]) == new and pod_running_and_ready(state[higher]), (
                    f"{name} was taken down before {higher} was updated and ready (event {index}):\n{timeline}")
    assert sorted(starts, key=starts.get) == ["redis-sts-2", "redis-sts-1", "redis-sts-0"], timeline

    # Status, at every write the controller made during the rollout.
    statuses = [e["object"].get("status") or {} for e in sts_events]
    for status in statuses:
        assert status.get("readyReplicas", 0) <= status.get("replicas", 0) <= 3, status
        assert status.get("availableReplicas", 0) <= status.get("readyReplicas", 0), status
        if status.get("updateRevision") == new and status.get("currentRevision") == old:
            assert status.get("currentReplicas", 0) + status.get("updatedReplicas", 0) <= status.get("replicas", 0), status
        if status.get("currentRevision") == status.get("updateRevision"):
            assert status.get("currentReplicas", 0) == status.get("updatedReplicas", 0), status
        if status.get("currentRevision") == new:
            assert status.get("updatedReplicas") == 3 and status.get("readyReplicas") == 3, (
                f"currentRevision moved to the update revision before the rollout finished: {status}")
    updated = [s.get("updatedReplicas", 0) for s in statuses if s.get("updateRevision") == new]
    assert updated == sorted(updated) and updated[-1] == 3, f"updatedReplicas over the rollout: {updated}"


def test_partition_keeps_lower_ordinals(kubectl, tmp_path):
    before = apply_replicas(kubectl, tmp_path, 3)
    old = before["status"]["currentRevision"]
    uid0 = pods_by_name(kubectl, SELECTOR)["redis-sts-0"]["metadata"]["uid"]

    out = kubectl("patch", "sts", "redis-sts", "-p", '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":1}}}}')
    assert out.strip() == "statefulset.apps/redis-sts patched"
    set_image(kubectl)
    assert rollout_status(kubectl) == "partitioned roll out complete: 2 new pods have been updated..."
    sts = wait_statefulset(kubectl, "redis-sts",
                           with_status(replicas=3, readyReplicas=3, updatedReplicas=2, currentReplicas=1,
                                       currentRevision=old), 60, "pods 2 and 1 updated, 0 kept", SELECTOR)
    new = sts["status"]["updateRevision"]
    assert new != old

    def partitioned():
        pods = pods_by_name(kubectl, SELECTOR)
        return (pods["redis-sts-0"]["metadata"]["uid"] == uid0
                and (image(pods["redis-sts-0"]), revision(pods["redis-sts-0"])) == (OLD_IMAGE, old)
                and all((image(pods[f"redis-sts-{i}"]), revision(pods[f"redis-sts-{i}"])) == (NEW_IMAGE, new)
                        for i in (1, 2)))
    assert_holds(partitioned, 2.0, "redis-sts-0 stays on the old revision below the partition")

    kubectl("patch", "sts", "redis-sts", "-p", '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":0}}}}')
    assert rollout_status(kubectl) == "partitioned roll out complete: 3 new pods have been updated..."
    sts = wait_statefulset(kubectl, "redis-sts", settled(3), 60, "all pods updated", SELECTOR)
    assert sts["status"]["currentRevision"] == new
    pod0 = pods_by_name(kubectl, SELECTOR)["redis-sts-0"]
    assert pod0["metadata"]["uid"] != uid0 and (image(pod0), revision(pod0)) == (NEW_IMAGE, new)


def test_rollout_history_and_undo(kubectl, tmp_path):
    first = apply_replicas(kubectl, tmp_path, 2)["status"]["currentRevision"]
    assert history_revisions(kubectl) == [1]
    set_image(kubectl)
    rollout_status(kubectl)
    second = wait_statefulset(kubectl, "redis-sts", settled(2), 60, "rolled to redis:7", SELECTOR)["status"]["currentRevision"]
    assert second != first
    assert history_revisions(kubectl) == [1, 2]
    detail = kubectl("rollout", "history", "sts/redis-sts", "--revision=1")
    assert re.search(rf"^\s+Image:\s+{re.escape(OLD_IMAGE)}$", detail, re.MULTILINE), detail

    assert kubectl("rollout", "undo", "sts/redis-sts").strip() == "statefulset.apps/redis-sts rolled back"
    rollout_status(kubectl)
    sts = wait_statefulset(kubectl, "redis-sts", with_status(updateRevision=first), 30, "update revision back to the first",
                           SELECTOR)
    sts = wait_statefulset(kubectl, "redis-sts", settled(2), 60, "rolled back to redis:5-alpine", SELECTOR)
    assert sts["status"]["currentRevision"] == first, sts["status"]
    assert sts["spec"]["template"]["spec"]["containers"][0]["image"] == OLD_IMAGE
    assert {(image(p), revision(p)) for p in pods_by_name(kubectl, SELECTOR).values()} == {(OLD_IMAGE, first)}
    # The equal revision is reused and renumbered, as upstream's history does
    assert revisions_by_name(kubectl) == {second: 2, first: 3}
    assert history_revisions(kubectl) == [2, 3]

    assert kubectl("rollout", "undo", "sts/redis-sts").strip() == "statefulset.apps/redis-sts rolled back"
    sts = wait_statefulset(kubectl, "redis-sts", settled(2), 60, "undo of the undo: redis:7 again", SELECTOR)
    assert sts["status"]["currentRevision"] == second
    assert revisions_by_name(kubectl) == {first: 3, second: 4}


def test_on_delete_updates_only_deleted_pods(kubectl, tmp_path):
    old = apply_replicas(kubectl, tmp_path, 3)["status"]["currentRevision"]
    kubectl("patch", "sts", "redis-sts", "-p", '{"spec":{"updateStrategy":{"type":"OnDelete","rollingUpdate":null}}}')
    assert kubectl.json("get", "sts", "redis-sts")["spec"]["updateStrategy"] == {"type": "OnDelete"}
    uids = {n: p["metadata"]["uid"] for n, p in pods_by_name(kubectl, SELECTOR).items()}

    set_image(kubectl)
    sts = wait_statefulset(kubectl, "redis-sts",
                           with_status(replicas=3, readyReplicas=3, currentReplicas=3, updatedReplicas=0,
                                       currentRevision=old), 30, "a new update revision, no pod updated", SELECTOR)
    new = sts["status"]["updateRevision"]
    assert new != old
    assert_holds(lambda: {n: p["metadata"]["uid"] for n, p in pods_by_name(kubectl, SELECTOR).items()} == uids,
                 2.0, "OnDelete leaves every pod in place")

    # --wait=false: `kubectl delete` of a pod that is replaced within milliseconds can miss the DELETED
    # event (test_deleted_pod_comes_back_with_same_name covers the waiting form).
    kubectl("delete", "pod", "redis-sts-1", "--wait=false")

    def replaced():
        pod = pods_by_name(kubectl, SELECTOR).get("redis-sts-1")
        return pod and pod["metadata"]["uid"] != uids["redis-sts-1"] and pod_running_and_ready(pod) and pod
    pod1 = wait_for(replaced, 60, "redis-sts-1 recreated, Running and Ready")
    assert (image(pod1), revision(pod1)) == (NEW_IMAGE, new)
    wait_statefulset(kubectl, "redis-sts",
                     with_status(replicas=3, readyReplicas=3, currentReplicas=2, updatedReplicas=1,
                                 currentRevision=old, updateRevision=new), 30, "1 updated, 2 current", SELECTOR)
    pods = pods_by_name(kubectl, SELECTOR)
    for name in ("redis-sts-0", "redis-sts-2"):
        assert pods[name]["metadata"]["uid"] == uids[name]
        assert (image(pods[name]), revision(pods[name])) == (OLD_IMAGE, old)


def test_rollout_restart_triggers_a_new_revision(kubectl, tmp_path):
    first = apply_replicas(kubectl, tmp_path, 2)["status"]["currentRevision"]
    uids = {n: p["metadata"]["uid"] for n, p in pods_by_name(kubectl, SELECTOR).items()}
    assert kubectl("rollout", "restart", "sts/redis-sts").strip() == "statefulset.apps/redis-sts restarted"
    assert rollout_status(kubectl) == "partitioned roll out complete: 2 new pods have been updated..."
    sts = wait_statefulset(kubectl, "redis-sts", settled(2), 60, "restarted pods ready", SELECTOR)
    second = sts["status"]["currentRevision"]
    assert second != first
    restarted_at = sts["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"]
    for name, pod in pods_by_name(kubectl, SELECTOR).items():
        assert pod["metadata"]["uid"] != uids[name], f"{name} was not restarted"
        assert pod["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"] == restarted_at
        assert revision(pod) == second
    assert history_revisions(kubectl) == [1, 2]
