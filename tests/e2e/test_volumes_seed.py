"""The seed's storage lesson with the real kubectl: with a StorageClass `nfs-client`, redis-pv-sts.yml gives each
ordinal its own 100Mi RWX claim; a deleted pod comes back on the same claim and volume; scaling down keeps the
claims (Retain) and scaling up reuses them; `whenScaled: Delete` removes the claims of removed ordinals."""

import re

import pytest

from support import (get_or_none, kubectl_delete, parse_table, pod_is_ready, wait_for, wait_for_gone,
                     wait_for_statefulset)

CLAIMS = ["redis-100m-pvc-redis-pv-sts-0", "redis-100m-pvc-redis-pv-sts-1"]
PROVISIONER = "k8s-sigs.io/nfs-subdir-external-provisioner"


def claim_rows(kubectl):
    blocks = parse_table(kubectl("get", "pvc"))
    return {row["NAME"]: row for row in blocks[0]["rows"]} if blocks else {}


def bound_claims(kubectl, names):
    """The named claims once all are Bound, by name."""
    def bound():
        claims = {name: get_or_none(kubectl, "pvc", name) for name in names}
        return all(c and c.get("status", {}).get("phase") == "Bound" for c in claims.values()) and claims

    return wait_for(bound, 30, f"claims {', '.join(names)} Bound", interval=0.2)


def claim_of(pod, volume="redis-100m-pvc"):
    return next(v["persistentVolumeClaim"]["claimName"] for v in pod["spec"]["volumes"] if v["name"] == volume)


@pytest.fixture
def pv_sts(kubectl, manifests, ns):
    """redis-pv-sts.yml applied after the nfs-client StorageClass, settled at 2/2 with both claims Bound."""
    out = kubectl("apply", "-f", manifests / "nfs-client-storageclass.yml").strip()
    assert re.fullmatch(r"storageclass\.storage\.k8s\.io/nfs-client (created|unchanged|configured)", out), out
    assert kubectl("apply", "-f", manifests / "redis-pv-sts.yml").strip() == "statefulset.apps/redis-pv-sts created"
    pods = wait_for_statefulset(kubectl, "redis-pv-sts", 2)
    claims = bound_claims(kubectl, CLAIMS)
    return pods, claims


def test_get_pvc_shows_both_claims_bound_100mi_rwx_nfs_client(kubectl, pv_sts, ns):
    pods, claims = pv_sts
    rows = claim_rows(kubectl)
    assert sorted(rows) == CLAIMS, rows
    for name in CLAIMS:
        row = rows[name]
        assert row["STATUS"] == "Bound", row
        assert row["CAPACITY"] == "100Mi", row
        assert row["ACCESS MODES"] == "RWX", row
        assert row["STORAGECLASS"] == "nfs-client", row
        assert row["VOLUME"] == claims[name]["spec"]["volumeName"], row
        assert row["VOLUME"] == f"pvc-{claims[name]['metadata']['uid']}", row

    for ordinal, name in enumerate(CLAIMS):
        claim = claims[name]
        assert claim["metadata"]["labels"] == {"app": "redis-pv-sts"}, claim["metadata"]
        annotations = claim["metadata"]["annotations"]
        assert annotations.get("pv.kubernetes.io/bind-completed") == "yes", annotations
        assert annotations.get("pv.kubernetes.io/bound-by-controller") == "yes", annotations
        assert annotations.get("volume.kubernetes.io/storage-provisioner") == PROVISIONER, annotations
        assert annotations.get("volume.beta.kubernetes.io/storage-provisioner") == PROVISIONER, annotations
        assert claim["metadata"]["finalizers"] == ["kubernetes.io/pvc-protection"], claim["metadata"]
        assert claim["status"]["capacity"] == {"storage": "100Mi"}, claim["status"]
        assert claim["status"]["accessModes"] == ["ReadWriteMany"], claim["status"]
        assert claim_of(pods[f"redis-pv-sts-{ordinal}"]) == name

        volume = kubectl.json("get", "pv", claim["spec"]["volumeName"])
        spec = volume["spec"]
        assert spec["capacity"] == {"storage": "100Mi"}, spec
        assert spec["accessModes"] == ["ReadWriteMany"], spec
        assert spec["storageClassName"] == "nfs-client", spec
        assert spec["persistentVolumeReclaimPolicy"] == "Delete", spec
        assert spec["volumeMode"] == "Filesystem", spec
        ref = spec["claimRef"]
        assert (ref["kind"], ref["namespace"], ref["name"], ref["uid"]) == (
            "PersistentVolumeClaim", ns, name, claim["metadata"]["uid"]), ref
        assert volume["status"]["phase"] == "Bound", volume["status"]
        annotations = volume["metadata"]["annotations"]
        assert annotations.get("pv.kubernetes.io/provisioned-by") == PROVISIONER, volume["metadata"]
        assert "kubernetes.io/pv-protection" in volume["metadata"]["finalizers"], volume["metadata"]


def test_deleted_pod_comes_back_with_the_same_claim_and_volume(kubectl, pv_sts):
    pods, claims = pv_sts
    old_uid = pods["redis-pv-sts-0"]["metadata"]["uid"]
    assert kubectl_delete(kubectl, "pod", "redis-pv-sts-0").strip() == 'pod "redis-pv-sts-0" deleted'

    def recreated():
        pod = get_or_none(kubectl, "pod", "redis-pv-sts-0")
        return pod and pod["metadata"]["uid"] != old_uid and pod_is_ready(pod) and pod

    new_pod = wait_for(recreated, 45, "redis-pv-sts-0 to come back Running and Ready as a new pod", interval=0.2)
    assert claim_of(new_pod) == CLAIMS[0]

    claim = kubectl.json("get", "pvc", CLAIMS[0])
    assert claim["metadata"]["uid"] == claims[CLAIMS[0]]["metadata"]["uid"], "the claim was replaced"
    assert claim["status"]["phase"] == "Bound"
    assert claim["spec"]["volumeName"] == claims[CLAIMS[0]]["spec"]["volumeName"], "bound to another volume"
    volume = kubectl.json("get", "pv", claim["spec"]["volumeName"])
    assert volume["status"]["phase"] == "Bound"
    assert volume["spec"]["claimRef"]["uid"] == claim["metadata"]["uid"]
    assert claim_rows(kubectl)[CLAIMS[0]]["STATUS"] == "Bound"


def test_scale_down_keeps_claims_and_scale_up_reuses_them(kubectl, pv_sts):
    pods, claims = pv_sts
    assert kubectl("scale", "sts", "redis-pv-sts", "--replicas=1").strip() == "statefulset.apps/redis-pv-sts scaled"
    wait_for_statefulset(kubectl, "redis-pv-sts", 1)
    wait_for_gone(kubectl, "pod", "redis-pv-sts-1")

    # whenScaled: Retain (the default) keeps the claim of the removed ordinal, still bound to its volume
    kept = bound_claims(kubectl, CLAIMS)
    for name in CLAIMS:
        assert kept[name]["metadata"]["uid"] == claims[name]["metadata"]["uid"], name
        assert kept[name]["spec"]["volumeName"] == claims[name]["spec"]["volumeName"], name
        assert kubectl.json("get", "pv", kept[name]["spec"]["volumeName"])["status"]["phase"] == "Bound"
    assert sorted(claim_rows(kubectl)) == CLAIMS

    assert kubectl("scale", "sts", "redis-pv-sts", "--replicas=2").strip() == "statefulset.apps/redis-pv-sts scaled"
    pods_after = wait_for_statefulset(kubectl, "redis-pv-sts", 2)
    assert pods_after["redis-pv-sts-1"]["metadata"]["uid"] != pods["redis-pv-sts-1"]["metadata"]["uid"]
    assert claim_of(pods_after["redis-pv-sts-1"]) == CLAIMS[1]
    reused = kubectl.json("get", "pvc", CLAIMS[1])
    assert reused["metadata"]["uid"] == claims[CLAIMS[1]]["metadata"]["uid"], "scaling up made a new claim"
    assert reused["spec"]["volumeName"] == claims[CLAIMS[1]]["spec"]["volumeName"]


def test_when_scaled_delete_removes_the_claims_of_removed_ordinals(kubectl, pv_sts):
    pods, claims = pv_sts
    patch = '{"spec":{"persistentVolumeClaimRetentionPolicy":{"whenScaled":"Delete"}}}'
    assert kubectl("patch", "sts", "redis-pv-sts", "--type", "merge", "-p", patch).strip() == (
        "statefulset.apps/redis-pv-sts patched")
    policy = kubectl.json("get", "sts", "redis-pv-sts")["spec"]["persistentVolumeClaimRetentionPolicy"]
    assert policy == {"whenDeleted": "Retain", "whenScaled": "Delete"}, policy

    assert kubectl("scale", "sts", "redis-pv-sts", "--replicas=1").strip() == "statefulset.apps/redis-pv-sts scaled"
    wait_for_gone(kubectl, "pod", "redis-pv-sts-1")
    wait_for_gone(kubectl, "pvc", CLAIMS[1])
    # nfs-client reclaims with Delete: the removed claim's volume goes too
    wait_for_gone(kubectl, "pv", claims[CLAIMS[1]]["spec"]["volumeName"])
    assert sorted(claim_rows(kubectl)) == [CLAIMS[0]]
    kept = kubectl.json("get", "pvc", CLAIMS[0])
    assert kept["metadata"]["uid"] == claims[CLAIMS[0]]["metadata"]["uid"] and kept["status"]["phase"] == "Bound"

    # scaling up again gives ordinal 1 a fresh claim and volume
    assert kubectl("scale", "sts", "redis-pv-sts", "--replicas=2").strip() == "statefulset.apps/redis-pv-sts scaled"
    wait_for_statefulset(kubectl, "redis-pv-sts", 2)
    fresh = bound_claims(kubectl, CLAIMS)[CLAIMS[1]]
    assert fresh["metadata"]["uid"] != claims[CLAIMS[1]]["metadata"]["uid"]
    assert fresh["spec"]["volumeName"] == f"pvc-{fresh['metadata']['uid']}"
