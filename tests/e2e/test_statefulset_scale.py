"""Scaling a StatefulSet with the real kubectl: OrderedReady creates one ordinal at a time, each after all lower
ones are Running and Ready, and removes from the highest ordinal down, each pod fully gone before the next is
touched; Parallel does both at once. A pod held unready (`kubelite.dev/ready: "false"`) blocks the next
ordinal until it is released."""

import copy

from support import (MANIFESTS, READY_ANNOTATION, EventLog, Kubectl, create_namespace, describe_events, load_manifest,
                     name_of, observed, pod_running_and_ready, pod_summary, pod_terminating, pods_by_name, replay,
                     assert_holds, settled, wait_for, wait_statefulset, write_manifest)

SELECTOR = "app=redis-sts"
BLOCKED_WINDOW = 3.0  # seconds during which a blocked ordinal must not appear


def ordinal(name):
    return int(name.rsplit("-", 1)[1])


def held_unready_manifest(tmp_path, policy="OrderedReady"):
    """redis-sts.yml whose pods start held unready by the simulated kubelet."""
    document = copy.deepcopy(load_manifest("redis-sts.yml"))
    document["spec"]["podManagementPolicy"] = policy
    document["spec"]["template"]["metadata"]["annotations"] = {READY_ANNOTATION: "false"}
    return write_manifest(tmp_path, f"redis-sts-held-{policy.lower()}.yml", document)


def release(kubectl, pod):
    assert kubectl("annotate", "pod", pod, f"{READY_ANNOTATION}-").strip() == f"pod/{pod} annotated"


def hold(kubectl, pod):
    assert kubectl("annotate", "pod", pod, f"{READY_ANNOTATION}=false").strip() == f"pod/{pod} annotated"


def scale(kubectl, replicas):
    assert kubectl("scale", "sts", "redis-sts", f"--replicas={replicas}").strip() == "statefulset.apps/redis-sts scaled"


def running_unready(pod):
    return pod is not None and pod["status"].get("phase") == "Running" and not pod_running_and_ready(pod)


def termination_starts(events, names):
    """For each name, the index of its first event showing it terminating (deletionTimestamp or DELETED)."""
    starts = {}
    for index, event in enumerate(events):
        name = name_of(event)
        if name in names and name not in starts and (event["type"] == "DELETED" or pod_terminating(event["object"])):
            starts[name] = index
    return starts


def deletions(events, names):
    return {name_of(e): i for i, e in enumerate(events) if e["type"] == "DELETED" and name_of(e) in names}


def assert_created_in_order_after_lower_ready(events, names):
    """Each of `names` (ordered) is ADDED only when every lower ordinal exists and is Running and Ready, and
    the ADDED events come in ordinal order."""
    timeline = describe_events(events)
    added = [name_of(e) for e in events if e["type"] == "ADDED" and name_of(e) in names]
    assert added == names, f"creation order {added}, expected {names}:\n{timeline}"
    for index, (event, state) in enumerate(replay(events)):
        if event["type"] == "ADDED" and name_of(event) in names:
            for lower in range(ordinal(name_of(event))):
                pod = state.get(f"redis-sts-{lower}")
                assert pod is not None and pod_running_and_ready(pod), (
                    f"{name_of(event)} created (event {index}) while redis-sts-{lower} was "
                    f"{pod_summary(pod) if pod else 'absent'}:\n{timeline}")


def test_ordered_scale_up_in_order_and_down_in_reverse_one_at_a_time(kubectl, manifests, server, ns):
    kubectl("apply", "-f", manifests / "redis-sts.yml")
    wait_statefulset(kubectl, "redis-sts", settled(2), 60, "redis-sts 2/2", SELECTOR)
    first = pods_by_name(kubectl, SELECTOR)["redis-sts-0"]["metadata"]["uid"]

    with EventLog(server, f"/api/v1/namespaces/{ns}/pods") as log:
        scale(kubectl, 5)
        wait_statefulset(kubectl, "redis-sts", settled(5), 90, "redis-sts 5/5", SELECTOR)
        up = log.snapshot()
        assert_created_in_order_after_lower_ready(up, ["redis-sts-2", "redis-sts-3", "redis-sts-4"])

        mark = len(log.snapshot())
        scale(kubectl, 1)
        wait_statefulset(kubectl, "redis-sts", settled(1), 90, "redis-sts 1/1", SELECTOR)
        condemned = [f"redis-sts-{i}" for i in (4, 3, 2, 1)]
        events = log.wait_until(lambda evs: len(deletions(evs[mark:], condemned)) == 4, 30,
                                "DELETED events for redis-sts-4..1")[mark:]
    timeline = describe_events(events)
    starts = termination_starts(events, condemned)
    assert sorted(starts, key=starts.get) == condemned, f"termination order {starts}:\n{timeline}"
    gone = deletions(events, condemned)
    for higher, lower in zip(condemned, condemned[1:]):
        assert gone[higher] < starts[lower], (
            f"{lower} began terminating (event {starts[lower]}) before {higher} was gone (event {gone[higher]}):\n"
            f"{timeline}")
    assert all(name_of(e) != "redis-sts-0" or not pod_terminating(e["object"]) for e in events), timeline
    pods = pods_by_name(kubectl, SELECTOR)
    assert sorted(pods) == ["redis-sts-0"] and pods["redis-sts-0"]["metadata"]["uid"] == first

    messages = {e["message"] for e in kubectl.json("get", "events")["items"] if e["reason"] == "SuccessfulDelete"}
    assert {f"delete Pod {name} in StatefulSet redis-sts successful" for name in condemned} <= messages, messages


def test_parallel_creates_and_removes_all_at_once(start_server, kubectl_cache, tmp_path):
    """Parallel, on a server whose kubelet honours a tenth of the grace period (3 s of the default 30): pods
    are created without waiting for lower ordinals to be Ready (all are held unready) and condemned pods are
    all terminating before the first one is gone."""
    server = start_server("--termination-grace-scale", "0.1")
    kubectl = Kubectl(server, kubectl_cache, namespace=create_namespace(server, "parallel"))
    manifest = held_unready_manifest(tmp_path, "Parallel")

    with EventLog(server, "/api/v1/namespaces/parallel/pods") as log:
        kubectl("apply", "-f", manifest)
        wait_for(lambda: all(running_unready(pods_by_name(kubectl, SELECTOR).get(f"redis-sts-{i}")) for i in (0, 1)),
                 60, "redis-sts-0 and redis-sts-1 both Running and unready")
        scale(kubectl, 5)
        pods = wait_for(lambda: (lambda p: len(p) == 5 and all(map(running_unready, p.values())) and p)(
            pods_by_name(kubectl, SELECTOR)), 60, "5 pods Running, all held unready")
        sts = wait_statefulset(kubectl, "redis-sts", lambda s: observed(s) and s["status"].get("replicas") == 5,
                               30, "status.replicas 5", SELECTOR)
        assert sts["status"].get("readyReplicas", 0) == 0, sts["status"]
        assert sorted(pods) == [f"redis-sts-{i}" for i in range(5)]
        assert not any(pod_running_and_ready(e["object"]) for e in log.snapshot()), (
            "no pod was ever ready, yet all were created:\n" + describe_events(log.snapshot()))

        mark = len(log.snapshot())
        scale(kubectl, 1)
        condemned = [f"redis-sts-{i}" for i in (1, 2, 3, 4)]
        events = log.wait_until(lambda evs: len(deletions(evs[mark:], condemned)) == 4, 60,
                                "redis-sts-1..4 removed although unready")[mark:]
    timeline = describe_events(events)
    starts = termination_starts(events, condemned)
    first_gone = min(deletions(events, condemned).values())
    assert all(starts[name] < first_gone for name in condemned), (
        f"Parallel must mark every condemned pod before the first is gone:\n{timeline}")

    release(kubectl, "redis-sts-0")
    wait_statefulset(kubectl, "redis-sts", settled(1), 30, "redis-sts 1/1 once redis-sts-0 is released", SELECTOR)


def test_ordered_ready_scale_down_marks_one_pod_at_a_time_with_grace(start_server, kubectl_cache):
    """The OrderedReady counterpart of the Parallel test, with the same 3 s of grace: while one pod
    terminates, no other is marked."""
    server = start_server("--termination-grace-scale", "0.1")
    kubectl = Kubectl(server, kubectl_cache, namespace=create_namespace(server, "ordered"))
    kubectl("apply", "-f", MANIFESTS / "redis-sts.yml")
    scale(kubectl, 3)
    wait_statefulset(kubectl, "redis-sts", settled(3), 60, "redis-sts 3/3", SELECTOR)
    with EventLog(server, "/api/v1/namespaces/ordered/pods") as log:
        scale(kubectl, 1)
        events = log.wait_until(lambda evs: len(deletions(evs, ["redis-sts-2", "redis-sts-1"])) == 2, 60,
                                "redis-sts-2 and redis-sts-1 removed")
    timeline = describe_events(events)
    starts = termination_starts(events, ["redis-sts-2", "redis-sts-1"])
    gone = deletions(events, ["redis-sts-2"])
    assert starts["redis-sts-2"] < gone["redis-sts-2"] < starts["redis-sts-1"], timeline


def test_unready_pod_blocks_next_ordinal_until_released(kubectl, tmp_path, server, ns):
    with EventLog(server, f"/api/v1/namespaces/{ns}/pods") as log:
        kubectl("apply", "-f", held_unready_manifest(tmp_path))
        wait_for(lambda: running_unready(pods_by_name(kubectl, SELECTOR).get("redis-sts-0")), 60,
                 "redis-sts-0 Running and held unready")
        wait_statefulset(kubectl, "redis-sts",
                         lambda s: observed(s) and s["status"].get("replicas") == 1
                         and s["status"].get("readyReplicas", 0) == 0, 30, "status: 1 replica, 0 ready", SELECTOR)
        assert_holds(lambda: "redis-sts-1" not in pods_by_name(kubectl, SELECTOR), BLOCKED_WINDOW,
                     "redis-sts-1 is not created while redis-sts-0 is unready")

        release(kubectl, "redis-sts-0")
        wait_for(lambda: running_unready(pods_by_name(kubectl, SELECTOR).get("redis-sts-1")), 60,
                 "redis-sts-1 created (and held unready) once redis-sts-0 is released")
        sts = wait_statefulset(kubectl, "redis-sts",
                               lambda s: observed(s) and s["status"].get("replicas") == 2
                               and s["status"].get("readyReplicas") == 1, 30, "status: 2 replicas, 1 ready", SELECTOR)
        assert sts["status"]["readyReplicas"] == 1
        assert_created_in_order_after_lower_ready(log.snapshot(), ["redis-sts-1"])

    release(kubectl, "redis-sts-1")
    wait_statefulset(kubectl, "redis-sts", settled(2), 30, "redis-sts 2/2 once both are released", SELECTOR)


def test_ready_pod_made_unready_blocks_scale_up(kubectl, manifests):
    kubectl("apply", "-f", manifests / "redis-sts.yml")
    wait_statefulset(kubectl, "redis-sts", settled(2), 60, "redis-sts 2/2", SELECTOR)
    hold(kubectl, "redis-sts-1")
    wait_statefulset(kubectl, "redis-sts", lambda s: s["status"].get("readyReplicas") == 1, 30,
                     "readyReplicas 1 once redis-sts-1 is held unready", SELECTOR)

    scale(kubectl, 3)
    wait_statefulset(kubectl, "redis-sts", observed, 30, "the controller to observe replicas 3", SELECTOR)
    assert_holds(lambda: "redis-sts-2" not in pods_by_name(kubectl, SELECTOR), BLOCKED_WINDOW,
                 "redis-sts-2 is not created while redis-sts-1 is unready")

    release(kubectl, "redis-sts-1")
    wait_statefulset(kubectl, "redis-sts", settled(3), 60, "redis-sts 3/3 once redis-sts-1 is released", SELECTOR)


def test_unready_pod_blocks_ordered_scale_down(kubectl, manifests):
    """Upstream: in OrderedReady, a pod that is not Running and Ready stops the sync before any condemned
    pod is removed."""
    kubectl("apply", "-f", manifests / "redis-sts.yml")
    scale(kubectl, 3)
    wait_statefulset(kubectl, "redis-sts", settled(3), 60, "redis-sts 3/3", SELECTOR)
    uids = {name: pod["metadata"]["uid"] for name, pod in pods_by_name(kubectl, SELECTOR).items()}
    hold(kubectl, "redis-sts-0")
    wait_statefulset(kubectl, "redis-sts", lambda s: s["status"].get("readyReplicas") == 2, 30,
                     "readyReplicas 2 once redis-sts-0 is held unready", SELECTOR)

    scale(kubectl, 1)
    wait_statefulset(kubectl, "redis-sts", observed, 30, "the controller to observe replicas 1", SELECTOR)
    assert_holds(lambda: {n: p["metadata"]["uid"] for n, p in pods_by_name(kubectl, SELECTOR).items()
                          if not pod_terminating(p)} == uids,
                 BLOCKED_WINDOW, "no pod is removed while redis-sts-0 is unready")

    release(kubectl, "redis-sts-0")
    wait_statefulset(kubectl, "redis-sts", settled(1), 60, "redis-sts 1/1 once redis-sts-0 is released", SELECTOR)
