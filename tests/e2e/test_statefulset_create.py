"""The seed story with running pods: `kubectl apply -f redis-sts.yml` on Kubelite's simulated node gives what a
real cluster gives: redis-sts-0 Running and Ready before redis-sts-1 exists, `2/2`, upstream's pod identity, and
a deleted pod coming back under the same name."""

from support import (EventLog, describe_events, name_of, parse_table, pod_condition, pod_running_and_ready,
                     pod_summary, pods_by_name, replay, settled, wait_for, wait_statefulset)

SELECTOR = "app=redis-sts"
PHASE_ANNOTATION = "kubelite.dev/phase"  # the simulated kubelet ends the pod in this phase


def apply_redis_sts(kubectl, manifests):
    assert kubectl("apply", "-f", manifests / "redis-sts.yml").strip() == "statefulset.apps/redis-sts created"


def test_apply_creates_pod_0_ready_before_pod_1(kubectl, manifests, server, ns):
    with EventLog(server, f"/api/v1/namespaces/{ns}/pods") as log:
        apply_redis_sts(kubectl, manifests)
        wait_statefulset(kubectl, "redis-sts", settled(2), 60, "redis-sts 2 ready replicas", SELECTOR)
        events = log.wait_until(
            lambda evs: all(any(name_of(e) == n and pod_running_and_ready(e["object"]) for e in evs)
                            for n in ("redis-sts-0", "redis-sts-1")),
            15, "the watch to show both pods Running and Ready")
    timeline = describe_events(events)

    versions = [int(e["object"]["metadata"]["resourceVersion"]) for e in events]
    assert versions == sorted(versions), f"watch events out of resourceVersion order:\n{timeline}"
    assert events[0]["type"] == "ADDED" and name_of(events[0]) == "redis-sts-0", (
        f"the first pod created must be redis-sts-0:\n{timeline}")

    # Replay the watch: whenever redis-sts-1 exists, redis-sts-0 must already be Running and Ready.
    pod1_added = None
    pod0_ready = None
    for index, (event, state) in enumerate(replay(events)):
        if pod0_ready is None and name_of(event) == "redis-sts-0" and pod_running_and_ready(event["object"]):
            pod0_ready = event
        if "redis-sts-1" in state:
            if pod1_added is None:
                pod1_added = event
                assert event["type"] == "ADDED", timeline
            assert "redis-sts-0" in state and pod_running_and_ready(state["redis-sts-0"]), (
                f"redis-sts-1 existed while redis-sts-0 was not Running and Ready (event {index}):\n{timeline}")
    assert pod0_ready is not None and pod1_added is not None, timeline

    # The same order in the objects themselves.
    pods = pods_by_name(kubectl, SELECTOR)
    pod0, pod1 = pods["redis-sts-0"], pods["redis-sts-1"]
    assert int(pod1["metadata"]["resourceVersion"]) > int(pod0_ready["object"]["metadata"]["resourceVersion"])
    assert int(pod1_added["object"]["metadata"]["resourceVersion"]) > int(
        pod0_ready["object"]["metadata"]["resourceVersion"]), timeline
    assert pod0["metadata"]["creationTimestamp"] <= pod1["metadata"]["creationTimestamp"]
    ready0 = pod_condition(pod0, "Ready")
    assert ready0["lastTransitionTime"] <= pod1["metadata"]["creationTimestamp"], (
        f"redis-sts-0 Ready at {ready0['lastTransitionTime']}, redis-sts-1 created at "
        f"{pod1['metadata']['creationTimestamp']}")


def test_get_sts_shows_2_of_2_and_pods_running(kubectl, manifests):
    apply_redis_sts(kubectl, manifests)
    wait_statefulset(kubectl, "redis-sts", settled(2), 60, "redis-sts 2 ready replicas", SELECTOR)

    block = parse_table(kubectl("get", "sts"))[0]
    assert block["header"] == ["NAME", "READY", "AGE"]
    assert [(r["NAME"], r["READY"]) for r in block["rows"]] == [("redis-sts", "2/2")], block

    pods = parse_table(kubectl("get", "pods"))[0]
    assert pods["header"] == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert [(r["NAME"], r["READY"], r["STATUS"], r["RESTARTS"]) for r in pods["rows"]] == [
        ("redis-sts-0", "1/1", "Running", "0"), ("redis-sts-1", "1/1", "Running", "0")], pods


def test_pod_identity_labels_and_owner_as_upstream(kubectl, manifests):
    apply_redis_sts(kubectl, manifests)
    sts = wait_statefulset(kubectl, "redis-sts", settled(2), 60, "redis-sts 2 ready replicas", SELECTOR)
    status = sts["status"]
    assert status["observedGeneration"] == 1
    assert status["replicas"] == 2 and status["availableReplicas"] == 2
    assert status["currentRevision"] == status["updateRevision"]
    assert status["currentRevision"].startswith("redis-sts-")
    assert status["collisionCount"] == 0, status

    pods = pods_by_name(kubectl, SELECTOR)
    assert sorted(pods) == ["redis-sts-0", "redis-sts-1"]
    for ordinal in (0, 1):
        name = f"redis-sts-{ordinal}"
        pod = pods[name]
        assert pod["spec"]["hostname"] == name, pod["spec"]
        assert pod["spec"]["subdomain"] == "redis-svc", pod["spec"]
        assert pod["metadata"]["labels"] == {
            "app": "redis-sts",
            "apps.kubernetes.io/pod-index": str(ordinal),
            "controller-revision-hash": status["updateRevision"],
            "statefulset.kubernetes.io/pod-name": name,
        }, pod["metadata"]["labels"]
        assert pod["metadata"]["ownerReferences"] == [{
            "apiVersion": "apps/v1", "kind": "StatefulSet", "name": "redis-sts", "uid": sts["metadata"]["uid"],
            "controller": True, "blockOwnerDeletion": True,
        }], pod["metadata"]["ownerReferences"]
        # GetPodFromTemplate sets generateName `<set>-`; the controller then names the pod
        assert pod["metadata"]["generateName"] == "redis-sts-", pod["metadata"]
        assert pod["spec"]["containers"][0]["image"] == "redis:5-alpine"
        assert pod["spec"]["nodeName"], f"{name} was not scheduled: {pod_summary(pod)}"
        assert pod["status"]["phase"] == "Running" and pod["status"].get("podIP"), pod["status"]
        for kind in ("PodScheduled", "Initialized", "ContainersReady", "Ready"):
            condition = pod_condition(pod, kind)
            assert condition and condition["status"] == "True", (kind, pod["status"].get("conditions"))

    revisions = kubectl.json("get", "controllerrevisions")["items"]
    assert [r["metadata"]["name"] for r in revisions] == [status["updateRevision"]], revisions
    revision = revisions[0]
    assert revision["revision"] == 1
    hash_label = revision["metadata"]["labels"]["controller.kubernetes.io/hash"]
    assert revision["metadata"]["name"] == f"redis-sts-{hash_label}"
    assert revision["metadata"]["labels"]["app"] == "redis-sts"
    assert revision["metadata"]["ownerReferences"][0]["uid"] == sts["metadata"]["uid"]
    assert revision["metadata"]["ownerReferences"][0]["controller"] is True


def test_controller_records_upstream_events(kubectl, manifests):
    apply_redis_sts(kubectl, manifests)
    wait_statefulset(kubectl, "redis-sts", settled(2), 60, "redis-sts 2 ready replicas", SELECTOR)
    events = kubectl.json("get", "events")["items"]
    created = sorted(e["message"] for e in events
                     if e["reason"] == "SuccessfulCreate" and e["involvedObject"]["kind"] == "StatefulSet")
    assert created == ["create Pod redis-sts-0 in StatefulSet redis-sts successful",
                       "create Pod redis-sts-1 in StatefulSet redis-sts successful"], events
    for event in events:
        if event["reason"] == "SuccessfulCreate":
            assert event["type"] == "Normal"
            assert event["involvedObject"]["name"] == "redis-sts"
            assert event["involvedObject"]["apiVersion"] == "apps/v1"
            assert event["source"] == {"component": "statefulset-controller"}, event


def test_deleted_pod_comes_back_with_same_name(kubectl, manifests):
    apply_redis_sts(kubectl, manifests)
    wait_statefulset(kubectl, "redis-sts", settled(2), 60, "redis-sts 2 ready replicas", SELECTOR)
    before = pods_by_name(kubectl, SELECTOR)

    assert kubectl("delete", "pod", "redis-sts-0").strip() == 'pod "redis-sts-0" deleted'

    def replaced():
        pods = pods_by_name(kubectl, SELECTOR)
        pod = pods.get("redis-sts-0")
        return (pod and pod["metadata"]["uid"] != before["redis-sts-0"]["metadata"]["uid"]
                and pod_running_and_ready(pod) and pods)

    pods = wait_for(replaced, 60, "a new redis-sts-0 (new uid), Running and Ready")
    pod = pods["redis-sts-0"]
    assert pod["spec"]["hostname"] == "redis-sts-0" and pod["spec"]["subdomain"] == "redis-svc"
    assert pod["metadata"]["labels"]["statefulset.kubernetes.io/pod-name"] == "redis-sts-0"
    assert pods["redis-sts-1"]["metadata"]["uid"] == before["redis-sts-1"]["metadata"]["uid"], (
        "redis-sts-1 must not be touched when redis-sts-0 is recreated")
    wait_statefulset(kubectl, "redis-sts", settled(2), 30, "redis-sts back to 2/2", SELECTOR)


def test_failed_pod_is_recreated_with_same_name(kubectl, manifests, server, ns):
    apply_redis_sts(kubectl, manifests)
    wait_statefulset(kubectl, "redis-sts", settled(2), 60, "redis-sts 2/2", SELECTOR)
    before = pods_by_name(kubectl, SELECTOR)["redis-sts-1"]["metadata"]["uid"]
    with EventLog(server, f"/api/v1/namespaces/{ns}/pods") as log:
        kubectl("annotate", "pod", "redis-sts-1", f"{PHASE_ANNOTATION}=Failed")
        log.wait_until(lambda evs: any(name_of(e) == "redis-sts-1" and e["object"]["metadata"]["uid"] == before
                                       and e["object"]["status"].get("phase") == "Failed" for e in evs),
                       30, "redis-sts-1 to fail")
    pod = wait_for(lambda: (lambda p: p and p["metadata"]["uid"] != before and pod_running_and_ready(p) and p)(
        pods_by_name(kubectl, SELECTOR).get("redis-sts-1")), 60, "a new redis-sts-1, Running and Ready")
    assert pod["spec"]["hostname"] == "redis-sts-1"
    wait_statefulset(kubectl, "redis-sts", settled(2), 30, "redis-sts back to 2/2", SELECTOR)
    # Since 1.28 processReplica deletes a failed pod without a RecreatingFailedPod event; the deletion
    # itself is recorded as SuccessfulDelete.
    recorded = [(e["type"], e["message"]) for e in kubectl.json("get", "events")["items"]
                if e["reason"] == "SuccessfulDelete"]
    assert ("Normal", "delete Pod redis-sts-1 in StatefulSet redis-sts successful") in recorded, recorded
