"""redis-pv-sts.yml with the StorageClass `nfs-client` present: one claim per pod named
`<claim>-<statefulset>-<ordinal>`, labelled with the selector's labels, created before its pod, referenced by
the pod's volume, and kept (not recreated) when the pod is deleted and comes back. Binding and provisioning are
another issue's: their outcome is not asserted here."""

import copy
import re

from support import (EventLog, load_manifest, pod_running_and_ready, pods_by_name, settled, wait_for,
                     wait_statefulset, write_manifest)

SELECTOR = "app=redis-pv-sts"
CLAIMS = ["redis-100m-pvc-redis-pv-sts-0", "redis-100m-pvc-redis-pv-sts-1"]


def claims_by_name(kubectl):
    return {c["metadata"]["name"]: c for c in kubectl.json("get", "pvc")["items"]}


def claim_volume(pod):
    return [v for v in pod["spec"].get("volumes") or [] if v["name"] == "redis-100m-pvc"]


def test_claims_per_pod_and_kept_across_pod_recreation(kubectl, manifests, server, ns):
    out = kubectl("apply", "-f", manifests / "nfs-client-storageclass.yml")
    assert re.fullmatch(r"storageclass\.storage\.k8s\.io/nfs-client (created|unchanged|configured)", out.strip()), out

    with EventLog(server, f"/api/v1/namespaces/{ns}/persistentvolumeclaims") as claim_log, \
            EventLog(server, f"/api/v1/namespaces/{ns}/pods") as pod_log:
        assert kubectl("apply", "-f", manifests / "redis-pv-sts.yml").strip() == "statefulset.apps/redis-pv-sts created"
        wait_statefulset(kubectl, "redis-pv-sts", settled(2), 90, "redis-pv-sts 2/2", SELECTOR)
        claim_added = {e["object"]["metadata"]["name"]: int(e["object"]["metadata"]["resourceVersion"])
                       for e in claim_log.snapshot() if e["type"] == "ADDED"}
        pod_added = {e["object"]["metadata"]["name"]: int(e["object"]["metadata"]["resourceVersion"])
                     for e in pod_log.snapshot() if e["type"] == "ADDED"}
    for ordinal in (0, 1):
        claim, pod = CLAIMS[ordinal], f"redis-pv-sts-{ordinal}"
        assert claim_added[claim] < pod_added[pod], f"{claim} (rv {claim_added[claim]}) must precede {pod} (rv {pod_added[pod]})"

    claims = claims_by_name(kubectl)
    assert sorted(claims) == CLAIMS, sorted(claims)
    for name in CLAIMS:
        claim = claims[name]
        assert claim["metadata"]["labels"] == {"app": "redis-pv-sts"}, claim["metadata"]
        assert claim["spec"]["storageClassName"] == "nfs-client"
        assert claim["spec"]["accessModes"] == ["ReadWriteMany"]
        assert claim["spec"]["resources"] == {"requests": {"storage": "100Mi"}}
        # persistentVolumeClaimRetentionPolicy Retain/Retain (the default): no ownerReferences
        assert not claim["metadata"].get("ownerReferences"), claim["metadata"]

    pods = pods_by_name(kubectl, SELECTOR)
    for ordinal in (0, 1):
        pod = pods[f"redis-pv-sts-{ordinal}"]
        assert claim_volume(pod) == [{"name": "redis-100m-pvc",
                                      "persistentVolumeClaim": {"claimName": CLAIMS[ordinal]}}], pod["spec"].get("volumes")
        assert pod["spec"]["containers"][0]["volumeMounts"][0] == {"mountPath": "/data", "name": "redis-100m-pvc"}

    before_pod = pods["redis-pv-sts-0"]["metadata"]["uid"]
    before_claims = {n: c["metadata"]["uid"] for n, c in claims.items()}
    # --wait=false: see test_deleted_pod_comes_back_with_same_name for the waiting form
    kubectl("delete", "pod", "redis-pv-sts-0", "--wait=false")

    def back():
        pod = pods_by_name(kubectl, SELECTOR).get("redis-pv-sts-0")
        return pod and pod["metadata"]["uid"] != before_pod and pod_running_and_ready(pod) and pod
    pod = wait_for(back, 60, "redis-pv-sts-0 recreated, Running and Ready")
    assert claim_volume(pod) == [{"name": "redis-100m-pvc", "persistentVolumeClaim": {"claimName": CLAIMS[0]}}]
    assert {n: c["metadata"]["uid"] for n, c in claims_by_name(kubectl).items()} == before_claims, (
        "the claims must be kept, not recreated")

    # whenDeleted: Retain keeps the claims after the set is gone
    kubectl("delete", "sts", "redis-pv-sts")
    wait_for(lambda: pods_by_name(kubectl, SELECTOR) == {}, 30, "the pods removed with their set")
    assert {n: c["metadata"]["uid"] for n, c in claims_by_name(kubectl).items()} == before_claims


def test_retention_policy_delete_removes_claims(kubectl, manifests, tmp_path):
    """whenScaled: Delete removes a condemned pod's claim on scale-down; whenDeleted: Delete removes the rest
    with the set (through ownerReferences and the garbage collector, as upstream)."""
    kubectl("apply", "-f", manifests / "nfs-client-storageclass.yml")
    document = copy.deepcopy(load_manifest("redis-pv-sts.yml"))
    document["spec"]["persistentVolumeClaimRetentionPolicy"] = {"whenDeleted": "Delete", "whenScaled": "Delete"}
    kubectl("apply", "-f", write_manifest(tmp_path, "redis-pv-sts-delete.yml", document))
    wait_statefulset(kubectl, "redis-pv-sts", settled(2), 90, "redis-pv-sts 2/2", SELECTOR)
    assert sorted(claims_by_name(kubectl)) == CLAIMS

    kubectl("scale", "sts", "redis-pv-sts", "--replicas=1")
    wait_statefulset(kubectl, "redis-pv-sts", settled(1), 60, "redis-pv-sts 1/1", SELECTOR)
    wait_for(lambda: sorted(claims_by_name(kubectl)) == CLAIMS[:1], 30, f"{CLAIMS[1]} removed on scale-down")

    kubectl("delete", "sts", "redis-pv-sts")
    wait_for(lambda: claims_by_name(kubectl) == {}, 30, f"{CLAIMS[0]} removed with the set")
