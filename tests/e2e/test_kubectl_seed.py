"""The real kubectl 1.32, default (strict, server-side) validation, against the course's seed manifests."""

import ipaddress
import json
import os
import re
import stat
import subprocess

import pytest
import yaml

from support import KubectlError, parse_table, wait_for

AGE = re.compile(r"^\d+(s|m|h|d)(\d+(s|m|h))?$")


def apply(kubectl, manifests, name, **kwargs):
    return kubectl("apply", "-f", manifests / name, **kwargs).strip()


def by_name(block):
    return {row["NAME"]: row for row in block["rows"]}


# ---- apply the seed manifests ----

def test_apply_seed_manifests_and_get_shows_real_cluster_columns(kubectl, manifests):
    assert apply(kubectl, manifests, "redis-sts.yml") == "statefulset.apps/redis-sts created"
    assert apply(kubectl, manifests, "redis-svc.yml") == "service/redis-svc created"

    output = kubectl("get", "sts,svc,pvc")
    blocks = parse_table(output)
    sts_block = next(b for b in blocks if b["rows"] and b["rows"][0]["NAME"].startswith("statefulset.apps/"))
    svc_block = next(b for b in blocks if b["rows"] and b["rows"][0]["NAME"].startswith("service/"))
    assert sts_block["header"] == ["NAME", "READY", "AGE"], output
    assert svc_block["header"] == ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"], output

    sts = by_name(sts_block)["statefulset.apps/redis-sts"]
    assert re.fullmatch(r"\d+/2", sts["READY"]), sts
    assert AGE.match(sts["AGE"]), sts

    svc = by_name(svc_block)["service/redis-svc"]
    assert svc["TYPE"] == "ClusterIP", svc
    assert svc["EXTERNAL-IP"] == "<none>", svc
    assert svc["PORT(S)"] == "6379/TCP", svc
    assert AGE.match(svc["AGE"]), svc
    assert svc["CLUSTER-IP"] != "<none>", f"no cluster IP allocated: {svc}"
    assert isinstance(ipaddress.ip_address(svc["CLUSTER-IP"]), ipaddress.IPv4Address), svc


def test_apply_headless_service(kubectl, manifests):
    assert apply(kubectl, manifests, "redis-headless-svc.yml") == "service/redis-svc created"
    headless = by_name(parse_table(kubectl("get", "svc"))[0])["redis-svc"]
    assert headless["TYPE"] == "ClusterIP" and headless["CLUSTER-IP"] == "None", headless
    spec = kubectl.json("get", "svc", "redis-svc")["spec"]
    assert spec["clusterIP"] == "None" and spec["clusterIPs"] == ["None"], spec


def test_service_defaults(kubectl, manifests):
    apply(kubectl, manifests, "redis-svc.yml")
    svc = kubectl.json("get", "svc", "redis-svc")
    spec = svc["spec"]
    assert spec["type"] == "ClusterIP"
    assert spec["sessionAffinity"] == "None"
    assert spec["ports"] == [{"port": 6379, "protocol": "TCP", "targetPort": 6379}]
    assert spec["selector"] == {"app": "redis-sts"}
    assert spec["internalTrafficPolicy"] == "Cluster"
    # allocated by the API server on create, as kube-apiserver does from its service CIDR
    assert "clusterIP" in spec, f"no cluster IP allocated: {spec}"
    ipaddress.IPv4Address(spec["clusterIP"])
    assert spec["clusterIPs"] == [spec["clusterIP"]]
    assert spec["ipFamilies"] == ["IPv4"]
    assert spec["ipFamilyPolicy"] == "SingleStack"


def test_apply_pv_statefulset_after_storage_class(kubectl, manifests):
    out = apply(kubectl, manifests, "nfs-client-storageclass.yml")
    assert re.fullmatch(r"storageclass\.storage\.k8s\.io/nfs-client (created|unchanged|configured)", out), out
    sc = kubectl.json("get", "storageclass", "nfs-client")
    assert sc["provisioner"] == "k8s-sigs.io/nfs-subdir-external-provisioner"

    assert apply(kubectl, manifests, "redis-pv-sts.yml") == "statefulset.apps/redis-pv-sts created"
    sts = kubectl.json("get", "sts", "redis-pv-sts")
    template = sts["spec"]["volumeClaimTemplates"][0]
    assert template["metadata"]["name"] == "redis-100m-pvc"
    assert template["spec"]["storageClassName"] == "nfs-client"
    assert template["spec"]["accessModes"] == ["ReadWriteMany"]
    assert template["spec"]["resources"] == {"requests": {"storage": "100Mi"}}
    assert template["spec"]["volumeMode"] == "Filesystem"
    mounts = sts["spec"]["template"]["spec"]["containers"][0]["volumeMounts"]
    assert mounts == [{"mountPath": "/data", "name": "redis-100m-pvc"}]

    output = kubectl("get", "sts,svc,pvc")
    assert "statefulset.apps/redis-pv-sts" in output, output


def test_get_sts_yaml_shows_upstream_defaults(kubectl, manifests):
    apply(kubectl, manifests, "redis-sts.yml")
    sts = yaml.safe_load(kubectl("get", "sts", "redis-sts", "-o", "yaml"))
    assert sts["apiVersion"] == "apps/v1" and sts["kind"] == "StatefulSet"
    meta = sts["metadata"]
    assert meta["name"] == "redis-sts" and meta["generation"] == 1
    assert meta["uid"] and meta["resourceVersion"] and meta["creationTimestamp"]
    last_applied = json.loads(meta["annotations"]["kubectl.kubernetes.io/last-applied-configuration"])
    assert last_applied["spec"]["replicas"] == 2

    spec = sts["spec"]
    assert spec["replicas"] == 2
    assert spec["serviceName"] == "redis-svc"
    assert spec["podManagementPolicy"] == "OrderedReady"
    assert spec["revisionHistoryLimit"] == 10
    assert spec["updateStrategy"] == {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}
    assert spec["persistentVolumeClaimRetentionPolicy"] == {"whenDeleted": "Retain", "whenScaled": "Retain"}
    assert spec["selector"] == {"matchLabels": {"app": "redis-sts"}}

    pod = spec["template"]["spec"]
    assert pod["restartPolicy"] == "Always"
    assert pod["terminationGracePeriodSeconds"] == 30
    assert pod["dnsPolicy"] == "ClusterFirst"
    assert pod["schedulerName"] == "default-scheduler"
    assert pod["securityContext"] == {}
    container = pod["containers"][0]
    assert container["name"] == "redis" and container["image"] == "redis:5-alpine"
    assert container["imagePullPolicy"] == "IfNotPresent"
    assert container["terminationMessagePath"] == "/dev/termination-log"
    assert container["terminationMessagePolicy"] == "File"
    assert container["resources"] == {}
    assert container["ports"] == [{"containerPort": 6379, "protocol": "TCP"}]


def test_reapply_edited_manifest_uses_strategic_merge_patch(kubectl, manifests):
    apply(kubectl, manifests, "redis-sts.yml")
    result = kubectl.run("apply", "-f", manifests / "redis-sts-edited.yml", "-v=8")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "statefulset.apps/redis-sts configured"
    assert "PATCH" in result.stderr and "application/strategic-merge-patch+json" in result.stderr, (
        "kubectl apply did not send a strategic merge patch:\n" + result.stderr[-3000:])

    sts = kubectl.json("get", "sts", "redis-sts")
    assert sts["metadata"]["generation"] == 2
    assert sts["metadata"]["labels"] == {"tier": "cache"}
    assert sts["spec"]["replicas"] == 3
    ports = sts["spec"]["template"]["spec"]["containers"][0]["ports"]
    assert ports == [
        {"containerPort": 6379, "protocol": "TCP"},
        {"containerPort": 16379, "name": "cluster-bus", "protocol": "TCP"},
    ], ports
    last_applied = json.loads(sts["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"])
    assert last_applied["spec"]["replicas"] == 3

    assert apply(kubectl, manifests, "redis-sts-edited.yml") == "statefulset.apps/redis-sts unchanged"


def test_unknown_field_fails_strict_validation(kubectl, manifests):
    with pytest.raises(KubectlError) as failure:
        apply(kubectl, manifests, "redis-sts-typo.yml")
    stderr = failure.value.stderr
    assert 'strict decoding error: unknown field "spec.replcas"' in stderr, stderr
    assert "BadRequest" in stderr, stderr
    missing = kubectl.run("get", "sts", "redis-sts-typo")
    assert missing.returncode != 0
    assert 'statefulsets.apps "redis-sts-typo" not found' in missing.stderr


# ---- the everyday commands ----

def test_describe_statefulset(kubectl, manifests, ns):
    apply(kubectl, manifests, "redis-sts.yml")
    text = kubectl("describe", "sts", "redis-sts")
    for pattern in [
        r"^Name:\s+redis-sts$",
        rf"^Namespace:\s+{ns}$",
        r"^Selector:\s+app=redis-sts$",
        r"^Replicas:\s+2 desired \| \d+ total$",
        r"^Update Strategy:\s+RollingUpdate$",
        r"^Pods Status:\s+\d+ Running / \d+ Waiting / \d+ Succeeded / \d+ Failed$",
        r"^Pod Template:$",
        r"^\s+Image:\s+redis:5-alpine$",
        r"^\s+Port:\s+6379/TCP$",
    ]:
        assert re.search(pattern, text, re.MULTILINE), f"{pattern!r} not in:\n{text}"


def test_label_and_annotate(kubectl, manifests):
    apply(kubectl, manifests, "redis-sts.yml")
    assert kubectl("label", "sts", "redis-sts", "tier=cache").strip() == "statefulset.apps/redis-sts labeled"
    assert kubectl("annotate", "sts", "redis-sts", "owner=course").strip() == "statefulset.apps/redis-sts annotated"
    meta = kubectl.json("get", "sts", "redis-sts")["metadata"]
    assert meta["labels"]["tier"] == "cache"
    assert meta["annotations"]["owner"] == "course"
    assert "kubectl.kubernetes.io/last-applied-configuration" in meta["annotations"]
    selected = kubectl("get", "sts", "-l", "tier=cache", "-o", "name").split()
    assert selected == ["statefulset.apps/redis-sts"]
    assert kubectl("label", "sts", "redis-sts", "tier-").strip() == "statefulset.apps/redis-sts unlabeled"
    assert "tier" not in (kubectl.json("get", "sts", "redis-sts")["metadata"].get("labels") or {})


def test_patch_merge_json_and_strategic(kubectl, manifests):
    apply(kubectl, manifests, "redis-sts.yml")
    patched = "statefulset.apps/redis-sts patched"
    assert kubectl("patch", "sts", "redis-sts", "--type", "merge",
                   "-p", '{"spec":{"minReadySeconds":5}}').strip() == patched
    assert kubectl("patch", "sts", "redis-sts", "--type", "json",
                   "-p", '[{"op":"replace","path":"/spec/updateStrategy/rollingUpdate/partition","value":1}]'
                   ).strip() == patched
    assert kubectl("patch", "sts", "redis-sts",
                   "-p", '{"spec":{"template":{"spec":{"containers":[{"name":"redis","image":"redis:6-alpine"}]}}}}'
                   ).strip() == patched

    sts = kubectl.json("get", "sts", "redis-sts")
    assert sts["spec"]["minReadySeconds"] == 5
    assert sts["spec"]["updateStrategy"] == {"type": "RollingUpdate", "rollingUpdate": {"partition": 1}}
    containers = sts["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1, "strategic merge must merge containers by name"
    assert containers[0]["image"] == "redis:6-alpine"
    assert containers[0]["ports"] == [{"containerPort": 6379, "protocol": "TCP"}]
    assert sts["metadata"]["generation"] == 4

    failure = kubectl.run("patch", "sts", "redis-sts", "--type", "json",
                          "-p", '[{"op":"test","path":"/spec/replicas","value":99}]')
    assert failure.returncode != 0, "a failing JSON patch test operation must be refused"
    # 1.32 allows only replicas, ordinals, template, updateStrategy, persistentVolumeClaimRetentionPolicy and
    # minReadySeconds to change
    immutable = kubectl.run("patch", "sts", "redis-sts", "--type", "merge", "-p", '{"spec":{"serviceName":"other"}}')
    assert immutable.returncode != 0
    assert ("spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', "
            "'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"
            ) in immutable.stderr, immutable.stderr


def test_scale(kubectl, manifests):
    apply(kubectl, manifests, "redis-sts.yml")
    assert kubectl("scale", "sts", "redis-sts", "--replicas=4").strip() == "statefulset.apps/redis-sts scaled"
    assert kubectl.json("get", "sts", "redis-sts")["spec"]["replicas"] == 4


def test_edit_with_scripted_editor(kubectl, manifests, tmp_path):
    apply(kubectl, manifests, "redis-sts.yml")
    editor = tmp_path / "editor.sh"
    editor.write_text("#!/bin/sh\nsed -i -e 's/^  replicas: 2$/  replicas: 6/' \"$1\"\n")
    editor.chmod(editor.stat().st_mode | stat.S_IXUSR)
    out = kubectl("edit", "sts", "redis-sts", env={"EDITOR": str(editor), "KUBE_EDITOR": str(editor)})
    assert out.strip() == "statefulset.apps/redis-sts edited"
    assert kubectl.json("get", "sts", "redis-sts")["spec"]["replicas"] == 6


def test_explain_statefulset_spec(kubectl):
    text = kubectl("explain", "statefulset.spec")
    assert re.search(r"^KIND:\s+StatefulSet$", text, re.MULTILINE), text
    assert re.search(r"^VERSION:\s+v1$", text, re.MULTILINE), text
    assert re.search(r"^FIELD:\s+spec <StatefulSetSpec>$", text, re.MULTILINE), text
    for field, kind in [("replicas", "integer"), ("serviceName", "string"), ("selector", "LabelSelector"),
                        ("template", "PodTemplateSpec"), ("volumeClaimTemplates", r"\[\]PersistentVolumeClaim")]:
        assert re.search(rf"^\s+{field}\s+<{kind}>", text, re.MULTILINE), f"{field} missing:\n{text}"


def test_delete_by_file(kubectl, manifests):
    apply(kubectl, manifests, "redis-sts.yml")
    assert kubectl("delete", "-f", manifests / "redis-sts.yml").strip() == 'statefulset.apps "redis-sts" deleted'
    missing = kubectl.run("get", "sts", "redis-sts")
    assert missing.returncode != 0
    assert 'Error from server (NotFound): statefulsets.apps "redis-sts" not found' in missing.stderr


def test_imperative_create_configmap(kubectl):
    """`kubectl create configmap` sends its body as protobuf (Content-Type application/vnd.kubernetes.protobuf),
    as client-go's typed clients do for built-in kinds."""
    out = kubectl("create", "configmap", "settings", "--from-literal=mode=cache")
    assert out.strip() == "configmap/settings created"
    assert kubectl.json("get", "configmap", "settings")["data"] == {"mode": "cache"}


# ---- discovery as kubectl shows it ----

EXPECTED_RESOURCES = {
    # name: (shortnames, apiversion, namespaced, kind)
    "configmaps": ("cm", "v1", "true", "ConfigMap"),
    "endpoints": ("ep", "v1", "true", "Endpoints"),
    "events": ("ev", "v1", "true", "Event"),
    "namespaces": ("ns", "v1", "false", "Namespace"),
    "nodes": ("no", "v1", "false", "Node"),
    "persistentvolumeclaims": ("pvc", "v1", "true", "PersistentVolumeClaim"),
    "persistentvolumes": ("pv", "v1", "false", "PersistentVolume"),
    "pods": ("po", "v1", "true", "Pod"),
    "secrets": ("", "v1", "true", "Secret"),
    "services": ("svc", "v1", "true", "Service"),
    "controllerrevisions": ("", "apps/v1", "true", "ControllerRevision"),
    "statefulsets": ("sts", "apps/v1", "true", "StatefulSet"),
    "daemonsets": ("ds", "apps/v1", "true", "DaemonSet"),
    "replicationcontrollers": ("rc", "v1", "true", "ReplicationController"),
    "ingresses": ("ing", "networking.k8s.io/v1", "true", "Ingress"),
    "ingressclasses": ("", "networking.k8s.io/v1", "false", "IngressClass"),
    "leases": ("", "coordination.k8s.io/v1", "true", "Lease"),
    "endpointslices": ("", "discovery.k8s.io/v1", "true", "EndpointSlice"),
    "storageclasses": ("sc", "storage.k8s.io/v1", "false", "StorageClass"),
}


def test_api_resources(kubectl):
    blocks = parse_table(kubectl("api-resources"))
    assert blocks[0]["header"] == ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"]
    listed = {(row["NAME"], row["APIVERSION"]): row for row in blocks[0]["rows"]}
    for name, (short, version, namespaced, kind) in EXPECTED_RESOURCES.items():
        row = listed.get((name, version))
        assert row is not None, f"{name} ({version}) missing from api-resources"
        assert (row["SHORTNAMES"], row["NAMESPACED"], row["KIND"]) == (short, namespaced, kind), row


def test_api_versions(kubectl):
    versions = kubectl("api-versions").split()
    for expected in ["v1", "apps/v1", "coordination.k8s.io/v1", "discovery.k8s.io/v1", "storage.k8s.io/v1"]:
        assert expected in versions, versions


def test_get_namespaces(kubectl, ns):
    block = parse_table(kubectl("get", "ns"))[0]
    assert block["header"] == ["NAME", "STATUS", "AGE"]
    rows = by_name(block)
    for name in ["default", "kube-system", "kube-public", "kube-node-lease", ns]:
        assert rows[name]["STATUS"] == "Active", rows.get(name)


def test_get_all(kubectl, manifests):
    apply(kubectl, manifests, "redis-sts.yml")
    apply(kubectl, manifests, "redis-svc.yml")
    names = kubectl("get", "all", "-o", "name").split()
    assert "service/redis-svc" in names, names
    assert "statefulset.apps/redis-sts" in names, names
    assert all(n.split("/")[0] in {"pod", "service", "statefulset.apps"} for n in names), names


def test_get_watch_sees_a_change(kubectl, manifests, server, kubectl_cache, ns):
    """`kubectl get -w` lists, then watches from the list's resourceVersion; a label change shows up."""
    apply(kubectl, manifests, "redis-sts.yml")
    watcher = subprocess.Popen(
        ["kubectl", f"--cache-dir={kubectl_cache}", f"--namespace={ns}", "get", "sts", "redis-sts", "-w",
         "-o", "jsonpath={.metadata.labels.stage}{\"\\n\"}", "--request-timeout=20s"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=dict(os.environ, KUBECONFIG=str(server.kubeconfig)))
    try:
        lines = []
        os.set_blocking(watcher.stdout.fileno(), False)

        def saw(value):
            chunk = watcher.stdout.read()
            if chunk:
                lines.extend(chunk.splitlines())
            return value in lines

        wait_for(lambda: saw(""), 10, "kubectl get -w to print the listed object")
        kubectl("label", "sts", "redis-sts", "stage=watched")
        wait_for(lambda: saw("watched"), 10, "kubectl get -w to print the modified object")
    finally:
        watcher.terminate()
        watcher.wait(timeout=10)
