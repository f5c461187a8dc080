"""Deleting a StatefulSet with each cascade kubectl offers, and deleting a namespace, as upstream's garbage
collector and namespace controller do it."""

from support import (EventLog, Kubectl, KubectlError, create_namespace, describe_events, name_of, pods_by_name, settled, wait_for,
                     wait_statefulset)

SELECTOR = "app=redis-sts"


def running_set(kubectl, manifests):
    kubectl("apply", "-f", manifests / "redis-sts.yml")
    sts = wait_statefulset(kubectl, "redis-sts", settled(2), 60, "redis-sts 2/2", SELECTOR)
    return sts, pods_by_name(kubectl, SELECTOR)


def assert_sts_not_found(kubectl):
    missing = kubectl.run("get", "sts", "redis-sts")
    assert missing.returncode != 0
    assert 'Error from server (NotFound): statefulsets.apps "redis-sts" not found' in missing.stderr, missing.stderr


def test_delete_background_removes_pods_after_the_set(kubectl, manifests, server, ns):
    sts, _ = running_set(kubectl, manifests)
    with EventLog(server, f"/apis/apps/v1/namespaces/{ns}/statefulsets") as log:
        out = kubectl("delete", "sts", "redis-sts", "--cascade=background")
        assert out.strip() == 'statefulset.apps "redis-sts" deleted'
        events = log.wait_until(lambda evs: any(e["type"] == "DELETED" for e in evs), 10, "the set DELETED")
    assert_sts_not_found(kubectl)
    # background: the owner goes at once, without the foregroundDeletion finalizer
    assert all("foregroundDeletion" not in (e["object"]["metadata"].get("finalizers") or []) for e in events), (
        describe_events(events))
    wait_for(lambda: pods_by_name(kubectl, SELECTOR) == {}, 30, "the garbage collector to remove the pods")
    assert kubectl.json("get", "controllerrevisions")["items"] == [], "ControllerRevisions are dependents too"


def test_delete_foreground_removes_pods_before_the_set(kubectl, manifests, server, ns):
    sts, pods = running_set(kubectl, manifests)
    with EventLog(server, f"/apis/apps/v1/namespaces/{ns}/statefulsets") as sts_log, \
            EventLog(server, f"/api/v1/namespaces/{ns}/pods") as pod_log:
        out = kubectl("delete", "sts", "redis-sts", "--cascade=foreground")
        assert out.strip() == 'statefulset.apps "redis-sts" deleted'
        # kubectl waits for the set to be gone; foreground means its pods were gone first
        assert pods_by_name(kubectl, SELECTOR) == {}, "pods remain after a foreground delete returned"
        assert_sts_not_found(kubectl)
        sts_events = sts_log.wait_until(lambda evs: any(e["type"] == "DELETED" for e in evs), 10, "the set DELETED")
        pod_events = pod_log.wait_until(
            lambda evs: {name_of(e) for e in evs if e["type"] == "DELETED"} == set(pods), 10, "both pods DELETED")
    marked = [e for e in sts_events if e["type"] == "MODIFIED"
              and "foregroundDeletion" in (e["object"]["metadata"].get("finalizers") or [])]
    assert marked and marked[0]["object"]["metadata"].get("deletionTimestamp"), (
        "a foreground delete marks the owner with deletionTimestamp and the foregroundDeletion finalizer:\n"
        + describe_events(sts_events))
    set_gone = int(next(e for e in sts_events if e["type"] == "DELETED")["object"]["metadata"]["resourceVersion"])
    pods_gone = [int(e["object"]["metadata"]["resourceVersion"]) for e in pod_events if e["type"] == "DELETED"]
    assert max(pods_gone) < set_gone, f"the set (rv {set_gone}) went before its pods (rv {pods_gone})"
    # no pod was recreated by the controller while its set was being deleted
    assert not [e for e in pod_events if e["type"] == "ADDED" and e["object"]["metadata"]["uid"]
                not in {p["metadata"]["uid"] for p in pods.values()}], describe_events(pod_events)


def test_delete_orphan_keeps_pods_without_owner(kubectl, manifests):
    sts, pods = running_set(kubectl, manifests)
    out = kubectl("delete", "sts", "redis-sts", "--cascade=orphan")
    assert out.strip() == 'statefulset.apps "redis-sts" deleted'
    assert_sts_not_found(kubectl)

    def orphaned():
        now = pods_by_name(kubectl, SELECTOR)
        return now.keys() == pods.keys() and all(not p["metadata"].get("ownerReferences") for p in now.values()) and now
    now = wait_for(orphaned, 30, "both pods kept, without ownerReferences")
    for name, pod in now.items():
        assert pod["metadata"]["uid"] == pods[name]["metadata"]["uid"], f"{name} was replaced"
        assert "ownerReferences" not in pod["metadata"], pod["metadata"]
        assert pod["status"]["phase"] == "Running" and not pod["metadata"].get("deletionTimestamp")
    revisions = kubectl.json("get", "controllerrevisions")["items"]
    assert revisions and all(not r["metadata"].get("ownerReferences") for r in revisions), (
        "orphan propagation orphans every dependent, ControllerRevisions included")

    # A new set with the same selector adopts the orphans instead of replacing them
    kubectl("apply", "-f", manifests / "redis-sts.yml")
    adopted = wait_statefulset(kubectl, "redis-sts", settled(2), 60, "the new set adopts the pods", SELECTOR)
    for name, pod in pods_by_name(kubectl, SELECTOR).items():
        assert pod["metadata"]["uid"] == pods[name]["metadata"]["uid"], f"{name} was replaced, not adopted"
        assert [r["uid"] for r in pod["metadata"]["ownerReferences"]] == [adopted["metadata"]["uid"]]


def test_delete_namespace_removes_content_then_namespace(server, kubectl, make_namespace, manifests):
    name = make_namespace()
    scoped = Kubectl(server, kubectl.cache_dir, namespace=name)
    scoped("apply", "-f", manifests / "redis-sts.yml")
    scoped("apply", "-f", manifests / "redis-svc.yml")
    scoped("create", "configmap", "settings", "--from-literal=mode=cache")
    wait_statefulset(scoped, "redis-sts", settled(2), 60, "redis-sts 2/2", SELECTOR)

    with EventLog(server, "/api/v1/namespaces", {"fieldSelector": f"metadata.name={name}"}) as log:
        out = kubectl("delete", "ns", name, namespace=None)
        assert out.strip() == f'namespace "{name}" deleted'
        events = log.wait_until(lambda evs: any(e["type"] == "DELETED" for e in evs), 10, "the namespace DELETED")
    missing = kubectl.run("get", "ns", name, namespace=None)
    assert missing.returncode != 0
    assert f'Error from server (NotFound): namespaces "{name}" not found' in missing.stderr, missing.stderr
    terminating = [e for e in events if e["type"] == "MODIFIED"]
    assert terminating and terminating[0]["object"]["status"]["phase"] == "Terminating", describe_events(events)
    assert terminating[0]["object"]["metadata"].get("deletionTimestamp"), terminating[0]["object"]["metadata"]

    for resource in ("pods", "statefulsets.apps", "services", "configmaps", "controllerrevisions.apps", "events"):
        items = scoped.json("get", resource)["items"]
        assert items == [], f"{resource} left in deleted namespace {name}: {[i['metadata']['name'] for i in items]}"

    try:
        scoped("create", "configmap", "late", "--from-literal=a=1")
    except KubectlError as failure:
        assert f'namespaces "{name}" not found' in failure.stderr, failure.stderr
    else:
        raise AssertionError("creating in a deleted namespace succeeded")


def test_delete_namespace_with_terminating_pods(start_server, kubectl_cache, manifests):
    """With real grace periods (a tenth of 30 s), the namespace stays Terminating while its pods terminate,
    then goes: the content is removed first, then the namespace."""
    server = start_server("--termination-grace-scale", "0.1")
    name = create_namespace(server, "graceful")
    scoped = Kubectl(server, kubectl_cache, namespace=name)
    scoped("apply", "-f", manifests / "redis-sts.yml")
    wait_statefulset(scoped, "redis-sts", settled(2), 60, "redis-sts 2/2", SELECTOR)

    with EventLog(server, "/api/v1/namespaces", {"fieldSelector": f"metadata.name={name}"}) as ns_log, \
            EventLog(server, f"/api/v1/namespaces/{name}/pods") as pod_log:
        result = scoped.run("delete", "ns", name, namespace=None)
        assert result.returncode == 0 and result.stdout.strip() == f'namespace "{name}" deleted', result.stderr
        ns_events = ns_log.wait_until(lambda evs: any(e["type"] == "DELETED" for e in evs), 10, "namespace DELETED")
        pod_events = pod_log.wait_until(lambda evs: len([e for e in evs if e["type"] == "DELETED"]) >= 2, 10,
                                        "both pods DELETED")
    missing = scoped.run("get", "ns", name, namespace=None)
    assert f'Error from server (NotFound): namespaces "{name}" not found' in missing.stderr, missing.stderr
    ns_gone = int(next(e for e in ns_events if e["type"] == "DELETED")["object"]["metadata"]["resourceVersion"])
    pods_gone = [int(e["object"]["metadata"]["resourceVersion"]) for e in pod_events if e["type"] == "DELETED"]
    assert max(pods_gone) < ns_gone, f"namespace removed (rv {ns_gone}) before its pods (rv {pods_gone})"
    graceful = [e for e in pod_events if e["type"] == "MODIFIED" and e["object"]["metadata"].get("deletionTimestamp")]
    assert graceful, "pods were removed without a graceful deletion:\n" + describe_events(pod_events)
