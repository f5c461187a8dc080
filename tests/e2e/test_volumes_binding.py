"""Volume provisioning and binding with the real kubectl: the default class `standard`, the provisioned volume's
shape, WaitForFirstConsumer, static binding to the smallest matching volume, a class nobody serves, a missing class,
reclaim policies, and the pvc-protection and pv-protection finalizers."""

import pytest
import yaml

from support import (Kubectl, condition, get_or_none, holds_for, parse_table, pod_is_ready, wait_for, wait_for_gone,
                     wait_for_ready_pods)

FOR_A_WHILE = 2.0  # how long "stays so" is watched


def apply(kubectl, *objects):
    kubectl("apply", "-f", "-", input=yaml.safe_dump_all(objects))


def storage_class(name, provisioner="example.com/simulated", **fields):
    return {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": name},
            "provisioner": provisioner, **fields}


def claim(name, class_name=None, size="1Gi", modes=("ReadWriteOnce",), **spec):
    spec = {"accessModes": list(modes), "resources": {"requests": {"storage": size}}, **spec}
    if class_name is not None:
        spec["storageClassName"] = class_name
    return {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": name}, "spec": spec}


def volume(name, class_name, size, modes=("ReadWriteOnce",), labels=None, reclaim="Retain"):
    return {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": name, "labels": labels or {}},
            "spec": {"capacity": {"storage": size}, "accessModes": list(modes), "storageClassName": class_name,
                     "persistentVolumeReclaimPolicy": reclaim, "hostPath": {"path": f"/tmp/{name}"}}}


def pod_using(name, claim_name):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"containers": [{"name": "app", "image": "redis:5-alpine",
                                     "volumeMounts": [{"name": "data", "mountPath": "/data"}]}],
                     "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": claim_name}}]}}


def phase(obj):
    return (obj or {}).get("status", {}).get("phase")


def wait_bound(kubectl, name, timeout=30):
    return wait_for(lambda: (lambda c: phase(c) == "Bound" and c)(get_or_none(kubectl, "pvc", name)), timeout,
                    f"claim {name} Bound", interval=0.2)


def events_for(kubectl, name, reason):
    items = kubectl.json("get", "events")["items"]
    return [e for e in items if e["involvedObject"]["name"] == name and e["reason"] == reason]


def wait_event(kubectl, name, reason, timeout=30):
    return wait_for(lambda: events_for(kubectl, name, reason), timeout, f"a {reason} event for {name}",
                    interval=0.2)[0]


@pytest.fixture
def make_class(kubectl, cluster_scoped, ns):
    """Creates a StorageClass named after the test's namespace (cluster-scoped, removed after the test)."""
    def make(suffix, **fields):
        name = cluster_scoped("storageclass", f"{ns}-{suffix}")
        apply(kubectl, storage_class(name, **fields))
        return name

    return make


@pytest.fixture
def make_volume(kubectl, cluster_scoped, ns):
    def make(suffix, *args, **kwargs):
        name = cluster_scoped("pv", f"{ns}-{suffix}")
        apply(kubectl, volume(name, *args, **kwargs))
        wait_for(lambda: phase(get_or_none(kubectl, "pv", name)) == "Available", 30, f"volume {name} Available",
                 interval=0.2)
        return name

    return make


def test_default_class_standard_serves_claims_without_a_class(kubectl, cluster_scoped):
    standard = kubectl.json("get", "storageclass", "standard")
    assert standard["metadata"]["annotations"]["storageclass.kubernetes.io/is-default-class"] == "true"
    assert standard["reclaimPolicy"] == "Delete" and standard["volumeBindingMode"] == "Immediate", standard
    rows = {r["NAME"]: r for r in parse_table(kubectl("get", "storageclass"))[0]["rows"]}
    assert "standard (default)" in rows, rows

    apply(kubectl, claim("data"))
    bound = wait_bound(kubectl, "data")
    cluster_scoped("pv", bound["spec"]["volumeName"])
    assert bound["spec"]["storageClassName"] == "standard", bound["spec"]
    assert bound["spec"]["volumeName"] == f"pvc-{bound['metadata']['uid']}"
    assert kubectl.json("get", "pv", bound["spec"]["volumeName"])["spec"]["persistentVolumeReclaimPolicy"] == "Delete"


def test_provisioned_volume_takes_its_shape_from_claim_and_class(kubectl, make_class, cluster_scoped, ns):
    name = make_class("retain", reclaimPolicy="Retain")
    apply(kubectl, claim("block", name, size="2Gi", modes=("ReadWriteOnce",), volumeMode="Block"))
    bound = wait_bound(kubectl, "block")
    volume_name = cluster_scoped("pv", bound["spec"]["volumeName"])
    assert volume_name == f"pvc-{bound['metadata']['uid']}"
    assert bound["status"]["capacity"] == {"storage": "2Gi"} and bound["status"]["accessModes"] == ["ReadWriteOnce"]
    annotations = bound["metadata"]["annotations"]
    assert annotations["pv.kubernetes.io/bind-completed"] == "yes", annotations
    assert annotations["pv.kubernetes.io/bound-by-controller"] == "yes", annotations
    assert annotations["volume.kubernetes.io/storage-provisioner"] == "example.com/simulated", annotations
    assert bound["metadata"]["finalizers"] == ["kubernetes.io/pvc-protection"], bound["metadata"]

    pv = kubectl.json("get", "pv", volume_name)
    spec = pv["spec"]
    assert spec["capacity"] == {"storage": "2Gi"}, spec
    assert spec["accessModes"] == ["ReadWriteOnce"] and spec["volumeMode"] == "Block", spec
    assert spec["persistentVolumeReclaimPolicy"] == "Retain" and spec["storageClassName"] == name, spec
    ref = spec["claimRef"]
    assert (ref["apiVersion"], ref["kind"], ref["namespace"], ref["name"], ref["uid"]) == (
        "v1", "PersistentVolumeClaim", ns, "block", bound["metadata"]["uid"]), ref
    assert pv["metadata"]["annotations"]["pv.kubernetes.io/provisioned-by"] == "example.com/simulated", pv["metadata"]
    assert "kubernetes.io/pv-protection" in pv["metadata"]["finalizers"], pv["metadata"]
    assert pv["status"]["phase"] == "Bound"
    succeeded = wait_event(kubectl, "block", "ProvisioningSucceeded")
    assert succeeded["type"] == "Normal" and succeeded["message"] == f"Successfully provisioned volume {volume_name}"


def test_wait_for_first_consumer_binds_once_a_pod_is_scheduled(kubectl, make_class, cluster_scoped):
    name = make_class("wffc", volumeBindingMode="WaitForFirstConsumer")
    apply(kubectl, claim("late", name))
    event = wait_event(kubectl, "late", "WaitForFirstConsumer")
    assert event["type"] == "Normal", event
    assert event["message"] == "waiting for first consumer to be created before binding", event
    assert event["source"]["component"] == "persistentvolume-controller", event
    holds_for(lambda: phase(kubectl.json("get", "pvc", "late")) == "Pending"
              and "volumeName" not in kubectl.json("get", "pvc", "late")["spec"],
              FOR_A_WHILE, "the claim stays Pending and unbound without a consumer")
    row = {r["NAME"]: r for r in parse_table(kubectl("get", "pvc"))[0]["rows"]}["late"]
    assert row["STATUS"] == "Pending" and row["VOLUME"] == "", row

    apply(kubectl, pod_using("consumer", "late"))
    pod = wait_for_ready_pods(kubectl, ["consumer"])["consumer"]
    bound = wait_bound(kubectl, "late")
    cluster_scoped("pv", bound["spec"]["volumeName"])
    assert bound["metadata"]["annotations"]["volume.kubernetes.io/selected-node"] == pod["spec"]["nodeName"]
    assert bound["spec"]["volumeName"] == f"pvc-{bound['metadata']['uid']}"


def test_static_binding_picks_the_smallest_matching_volume(kubectl, make_class, make_volume):
    name = make_class("static", provisioner="kubernetes.io/no-provisioner")
    wrong_mode = make_volume("wrong-mode", name, "1Gi", modes=("ReadOnlyMany",))
    too_small = make_volume("too-small", name, "100Mi")
    fits = make_volume("fits", name, "1Gi")
    make_volume("bigger", name, "5Gi")
    gold = make_volume("gold", name, "2Gi", labels={"tier": "gold"})

    apply(kubectl, claim("plain", name, size="500Mi"))
    bound = wait_bound(kubectl, "plain")
    assert bound["spec"]["volumeName"] == fits, bound["spec"]
    assert bound["status"]["capacity"] == {"storage": "1Gi"}, bound["status"]
    assert bound["metadata"]["annotations"]["pv.kubernetes.io/bind-completed"] == "yes"
    assert bound["metadata"]["annotations"]["pv.kubernetes.io/bound-by-controller"] == "yes"
    pv = kubectl.json("get", "pv", fits)
    assert pv["status"]["phase"] == "Bound" and pv["spec"]["claimRef"]["uid"] == bound["metadata"]["uid"], pv
    assert pv["metadata"]["annotations"]["pv.kubernetes.io/bound-by-controller"] == "yes", pv["metadata"]

    apply(kubectl, claim("selective", name, size="500Mi", selector={"matchLabels": {"tier": "gold"}}))
    assert wait_bound(kubectl, "selective")["spec"]["volumeName"] == gold
    for untouched in (wrong_mode, too_small):
        assert phase(kubectl.json("get", "pv", untouched)) == "Available", untouched


def test_claim_of_a_class_nobody_serves_waits_for_a_volume(start_server, kubectl_cache):
    private = start_server("--provisioners", "kubelite.dev/hostpath")
    kubectl = Kubectl(private, kubectl_cache, namespace="default")
    apply(kubectl, storage_class("external", provisioner="example.com/nobody"), claim("waiting", "external"))
    event = wait_event(kubectl, "waiting", "ExternalProvisioning")
    assert event["type"] == "Normal", event
    assert event["message"] == (
        "Waiting for a volume to be created either by the external provisioner 'example.com/nobody' or manually by "
        "the system administrator. If volume creation is delayed, please verify that the provisioner is running and "
        "correctly registered."), event
    holds_for(lambda: phase(kubectl.json("get", "pvc", "waiting")) == "Pending", FOR_A_WHILE,
              "the claim stays Pending")
    annotations = kubectl.json("get", "pvc", "waiting")["metadata"]["annotations"]
    assert annotations["volume.kubernetes.io/storage-provisioner"] == "example.com/nobody", annotations
    assert kubectl.json("get", "pv")["items"] == []

    # an administrator's volume of the class is bound to it
    apply(kubectl, volume("handmade", "external", "1Gi"))
    assert wait_bound(kubectl, "waiting")["spec"]["volumeName"] == "handmade"


def test_claim_of_a_missing_class_stays_pending_and_its_pod_unschedulable(kubectl, cluster_scoped, ns):
    missing = f"{ns}-missing"
    apply(kubectl, claim("orphan", missing), pod_using("stuck", "orphan"))
    event = wait_event(kubectl, "orphan", "ProvisioningFailed")
    assert event["type"] == "Warning", event
    assert event["message"] == f'storageclass.storage.k8s.io "{missing}" not found', event

    def unschedulable():
        scheduled = condition(kubectl.json("get", "pod", "stuck"), "PodScheduled")
        return scheduled.get("status") == "False" and scheduled

    scheduled = wait_for(unschedulable, 30, "pod stuck to be unschedulable", interval=0.2)
    assert scheduled["reason"] == "Unschedulable", scheduled
    holds_for(lambda: phase(kubectl.json("get", "pvc", "orphan")) == "Pending"
              and phase(kubectl.json("get", "pod", "stuck")) == "Pending", FOR_A_WHILE,
              "claim and pod stay Pending")

    # once the class exists the claim is provisioned (on the controller's resync) and the pod starts
    cluster_scoped("storageclass", missing)
    apply(kubectl, storage_class(missing))
    bound = wait_bound(kubectl, "orphan", timeout=45)
    cluster_scoped("pv", bound["spec"]["volumeName"])
    wait_for(lambda: pod_is_ready(kubectl.json("get", "pod", "stuck")), 45, "pod stuck Running", interval=0.2)

    # the scheduler's words while it waited: a PreFilter rejection carries no per-node count (FitError, 1.27+)
    assert scheduled["message"] == (
        "0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/1 nodes are "
        "available: 1 Preemption is not helpful for scheduling."), scheduled


def test_reclaim_delete_removes_the_volume(kubectl, make_class):
    name = make_class("delete", reclaimPolicy="Delete")
    apply(kubectl, claim("scratch", name))
    volume_name = wait_bound(kubectl, "scratch")["spec"]["volumeName"]
    assert kubectl("delete", "pvc", "scratch").strip() == 'persistentvolumeclaim "scratch" deleted'
    wait_for_gone(kubectl, "pv", volume_name)


def test_reclaim_retain_leaves_the_volume_released(kubectl, make_class, cluster_scoped, ns):
    name = make_class("retain", reclaimPolicy="Retain")
    apply(kubectl, claim("keep", name))
    bound = wait_bound(kubectl, "keep")
    volume_name = cluster_scoped("pv", bound["spec"]["volumeName"])
    assert kubectl("delete", "pvc", "keep").strip() == 'persistentvolumeclaim "keep" deleted'
    wait_for(lambda: phase(kubectl.json("get", "pv", volume_name)) == "Released", 30, "the volume Released",
             interval=0.2)
    pv = kubectl.json("get", "pv", volume_name)
    ref = pv["spec"]["claimRef"]
    assert (ref["namespace"], ref["name"], ref["uid"]) == (ns, "keep", bound["metadata"]["uid"]), ref
    row = {r["NAME"]: r for r in parse_table(kubectl("get", "pv", volume_name))[0]["rows"]}[volume_name]
    assert row["STATUS"] == "Released" and row["RECLAIM POLICY"] == "Retain", row
    assert row["CLAIM"] == f"{ns}/keep", row
    # a Released volume is not bound again to a new claim of the same name
    apply(kubectl, claim("keep", name))
    rebound = wait_bound(kubectl, "keep")
    cluster_scoped("pv", rebound["spec"]["volumeName"])
    assert rebound["spec"]["volumeName"] != volume_name
    assert phase(kubectl.json("get", "pv", volume_name)) == "Released"


def test_claim_in_use_stays_terminating_until_its_pod_is_gone(kubectl, make_class):
    name = make_class("protected", reclaimPolicy="Delete")
    apply(kubectl, claim("busy", name), pod_using("user", "busy"))
    volume_name = wait_bound(kubectl, "busy")["spec"]["volumeName"]
    wait_for_ready_pods(kubectl, ["user"])

    out = kubectl("delete", "pvc", "busy", "--wait=false")
    assert out.strip() == 'persistentvolumeclaim "busy" deleted'

    def terminating():
        pvc = get_or_none(kubectl, "pvc", "busy")
        return (pvc and pvc["metadata"].get("deletionTimestamp")
                and pvc["metadata"].get("finalizers") == ["kubernetes.io/pvc-protection"] and pvc)

    holds_for(terminating, FOR_A_WHILE, "the claim in use stays, Terminating, with its pvc-protection finalizer")
    row = {r["NAME"]: r for r in parse_table(kubectl("get", "pvc"))[0]["rows"]}["busy"]
    assert row["STATUS"] == "Terminating", row
    assert phase(kubectl.json("get", "pv", volume_name)) == "Bound"

    assert kubectl("delete", "pod", "user").strip() == 'pod "user" deleted'
    wait_for_gone(kubectl, "pvc", "busy")
    wait_for_gone(kubectl, "pv", volume_name)


def test_bound_volume_stays_terminating_until_its_claim_is_gone(kubectl, make_class, cluster_scoped):
    name = make_class("pv-protected", reclaimPolicy="Retain")
    apply(kubectl, claim("held", name))
    volume_name = cluster_scoped("pv", wait_bound(kubectl, "held")["spec"]["volumeName"])

    assert kubectl("delete", "pv", volume_name, "--wait=false").strip() == (
        f'persistentvolume "{volume_name}" deleted')

    def terminating():
        pv = get_or_none(kubectl, "pv", volume_name)
        return (pv and pv["metadata"].get("deletionTimestamp")
                and "kubernetes.io/pv-protection" in pv["metadata"].get("finalizers", []) and pv)

    holds_for(terminating, FOR_A_WHILE, "the bound volume stays, Terminating, with its pv-protection finalizer")
    row = {r["NAME"]: r for r in parse_table(kubectl("get", "pv", volume_name))[0]["rows"]}[volume_name]
    assert row["STATUS"] == "Terminating", row
    assert phase(kubectl.json("get", "pvc", "held")) == "Bound"

    assert kubectl("delete", "pvc", "held").strip() == 'persistentvolumeclaim "held" deleted'
    wait_for_gone(kubectl, "pv", volume_name)
