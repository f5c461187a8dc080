"""Deployments and ReplicaSets with the real kubectl 1.32 and the official Python client: create
(imperatively and from YAML), get with a 1.32 cluster's columns, describe, scale, rollout
status/history/undo/restart/pause/resume, a rolling update that keeps maxUnavailable (watched pod by
pod), and deletion that takes the ReplicaSets and pods with it."""

import copy
import re

from kubernetes import utils as k8s_utils

from support import (MANIFESTS, EventLog, load_manifest, parse_table, pod_running_and_ready, pod_terminating,
                     replay, wait_for, write_manifest)


def rollout_status(kubectl, name, timeout="60s"):
    result = kubectl.run("rollout", "status", f"deployment/{name}", f"--timeout={timeout}", timeout=90)
    assert result.returncode == 0, f"rollout status failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout.strip().splitlines()[-1]


def replica_sets(kubectl, selector):
    return kubectl.json("get", "rs", "-l", selector)["items"]


def live_pods(kubectl, selector):
    return [p for p in kubectl.json("get", "pods", "-l", selector)["items"] if not p["metadata"].get("deletionTimestamp")]


def image_of(obj):
    return obj["spec"]["template"]["spec"]["containers"][0]["image"]


def wait_rolled_out(kubectl, name, replicas, timeout=60):
    def done():
        d = kubectl.json("get", "deployment", name)
        status = d.get("status") or {}
        return (status.get("observedGeneration", 0) >= d["metadata"]["generation"]
                and status.get("updatedReplicas", 0) == replicas and status.get("replicas", 0) == replicas
                and status.get("availableReplicas", 0) == replicas) and d
    return wait_for(done, timeout, f"deployment {name} rolled out at {replicas}", interval=0.2)


def test_create_imperatively_and_get_columns(kubectl):
    out = kubectl("create", "deployment", "web", "--image=nginx", "--replicas=3")
    assert out.strip() == "deployment.apps/web created"
    assert rollout_status(kubectl, "web") == 'deployment "web" successfully rolled out'

    table = parse_table(kubectl("get", "deployments"))[0]
    assert table["header"] == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]
    row = table["rows"][0]
    assert (row["NAME"], row["READY"], row["UP-TO-DATE"], row["AVAILABLE"]) == ("web", "3/3", "3", "3")

    wide = parse_table(kubectl("get", "deploy", "-o", "wide"))[0]
    assert wide["header"] == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE", "CONTAINERS", "IMAGES", "SELECTOR"]
    assert (wide["rows"][0]["CONTAINERS"], wide["rows"][0]["IMAGES"], wide["rows"][0]["SELECTOR"]) == ("nginx", "nginx", "app=web")

    rs_table = parse_table(kubectl("get", "rs"))[0]
    assert rs_table["header"] == ["NAME", "DESIRED", "CURRENT", "READY", "AGE"]
    rs_row = rs_table["rows"][0]
    assert re.fullmatch(r"web-[bcdfghjklmnpqrstvwxz2456789]+", rs_row["NAME"]), rs_row
    assert (rs_row["DESIRED"], rs_row["CURRENT"], rs_row["READY"]) == ("3", "3", "3")

    rs = replica_sets(kubectl, "app=web")[0]
    hash_ = rs["metadata"]["labels"]["pod-template-hash"]
    assert rs["metadata"]["name"] == f"web-{hash_}"
    assert rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "1"
    assert rs["metadata"]["ownerReferences"][0]["kind"] == "Deployment"
    pods = live_pods(kubectl, "app=web")
    assert len(pods) == 3
    for pod in pods:
        assert re.fullmatch(rf"web-{hash_}-[bcdfghjklmnpqrstvwxz2456789]{{5}}", pod["metadata"]["name"]), pod["metadata"]["name"]
        assert pod["metadata"]["ownerReferences"][0]["name"] == rs["metadata"]["name"]

    assert "deployment.apps/web" in kubectl("get", "all")
    assert kubectl("api-resources", "--api-group=apps", "-o", "name").split() == [
        "controllerrevisions.apps", "daemonsets.apps", "deployments.apps", "replicasets.apps", "statefulsets.apps"]


def test_apply_yaml_describe_and_scale(kubectl):
    out = kubectl("apply", "-f", MANIFESTS / "nginx-deployment.yml")
    assert out.strip() == "deployment.apps/nginx-deployment created"
    deployment = wait_rolled_out(kubectl, "nginx-deployment", 3)
    spec = deployment["spec"]
    assert spec["strategy"] == {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}}
    assert (spec["revisionHistoryLimit"], spec["progressDeadlineSeconds"]) == (10, 600)
    conditions = {c["type"]: c for c in deployment["status"]["conditions"]}
    assert (conditions["Available"]["status"], conditions["Available"]["reason"]) == ("True", "MinimumReplicasAvailable")
    assert (conditions["Progressing"]["status"], conditions["Progressing"]["reason"]) == ("True", "NewReplicaSetAvailable")

    described = kubectl("describe", "deployment", "nginx-deployment")
    assert re.search(r"Replicas:\s+3 desired \| 3 updated \| 3 total \| 3 available \| 0 unavailable", described), described
    assert re.search(r"StrategyType:\s+RollingUpdate", described), described
    assert re.search(r"RollingUpdateStrategy:\s+25% max unavailable, 25% max surge", described), described
    assert re.search(r"NewReplicaSet:\s+nginx-deployment-\w+ \(3/3 replicas created\)", described), described
    assert re.search(r"Normal\s+ScalingReplicaSet\s+.*deployment-controller\s+Scaled up replica set nginx-deployment-\w+ from 0 to 3",
                     described), described

    assert kubectl("scale", "deployment", "nginx-deployment", "--replicas=5").strip() == "deployment.apps/nginx-deployment scaled"
    wait_rolled_out(kubectl, "nginx-deployment", 5)
    assert len(live_pods(kubectl, "app=nginx")) == 5
    assert kubectl.json("get", "deployment", "nginx-deployment", "--subresource=scale")["spec"]["replicas"] == 5
    kubectl("scale", "deployment", "nginx-deployment", "--replicas=2")
    wait_rolled_out(kubectl, "nginx-deployment", 2)
    wait_for(lambda: len(live_pods(kubectl, "app=nginx")) == 2, 30, "scaled down to 2 pods")
    assert len(replica_sets(kubectl, "app=nginx")) == 1


def test_invalid_deployment_is_422_with_field_paths(kubectl, tmp_path):
    document = copy.deepcopy(load_manifest("nginx-deployment.yml"))
    document["spec"]["template"]["metadata"]["labels"] = {"app": "other"}
    document["spec"]["strategy"] = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 0}}
    result = kubectl.run("apply", "-f", write_manifest(tmp_path, "bad.yml", document))
    assert result.returncode != 0
    assert 'The Deployment "nginx-deployment" is invalid' in result.stderr, result.stderr
    assert "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"other\"}: `selector` does not match template `labels`" in result.stderr
    assert "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0" in result.stderr


def test_rollout_history_undo_and_restart(kubectl):
    kubectl("create", "deployment", "app", "--image=nginx:1", "--replicas=2")
    wait_rolled_out(kubectl, "app", 2)
    assert kubectl("set", "image", "deployment/app", "nginx=nginx:2").strip() == "deployment.apps/app image updated"
    assert rollout_status(kubectl, "app") == 'deployment "app" successfully rolled out'
    history = kubectl("rollout", "history", "deployment/app")
    assert history.splitlines()[0].strip() == "deployment.apps/app", history
    assert [line.split()[0] for line in history.strip().splitlines()[2:]] == ["1", "2"], history
    assert len(replica_sets(kubectl, "app=app")) == 2

    assert kubectl("rollout", "undo", "deployment/app").strip() == "deployment.apps/app rolled back"
    deployment = wait_rolled_out(kubectl, "app", 2)
    assert image_of(deployment) == "nginx:1"
    wait_for(lambda: kubectl.json("get", "deployment", "app")["metadata"]["annotations"].get(
        "deployment.kubernetes.io/revision") == "3", 30, "revision 3 after undo")
    assert all(p["spec"]["containers"][0]["image"] == "nginx:1" for p in live_pods(kubectl, "app=app"))
    history = kubectl("rollout", "history", "deployment/app")
    assert [line.split()[0] for line in history.strip().splitlines()[2:]] == ["2", "3"], history

    assert kubectl("rollout", "restart", "deployment/app").strip() == "deployment.apps/app restarted"
    deployment = wait_rolled_out(kubectl, "app", 2)
    assert "kubectl.kubernetes.io/restartedAt" in deployment["spec"]["template"]["metadata"]["annotations"]
    assert len(replica_sets(kubectl, "app=app")) == 3


def test_pause_and_resume(kubectl):
    kubectl("create", "deployment", "paused", "--image=nginx:1", "--replicas=1")
    wait_rolled_out(kubectl, "paused", 1)
    assert kubectl("rollout", "pause", "deployment/paused").strip() == "deployment.apps/paused paused"
    wait_for(lambda: any(c["reason"] == "DeploymentPaused" for c in
                         kubectl.json("get", "deployment", "paused")["status"]["conditions"]), 30, "DeploymentPaused")
    kubectl("set", "image", "deployment/paused", "nginx=nginx:2")
    kubectl("set", "env", "deployment/paused", "A=1")
    assert len(replica_sets(kubectl, "app=paused")) == 1
    assert kubectl("rollout", "resume", "deployment/paused").strip() == "deployment.apps/paused resumed"
    assert rollout_status(kubectl, "paused") == 'deployment "paused" successfully rolled out'
    rs = [r for r in replica_sets(kubectl, "app=paused") if r["spec"]["replicas"] > 0]
    assert len(rs) == 1 and image_of(rs[0]) == "nginx:2"


def test_rolling_update_keeps_max_unavailable(kubectl, server, ns):
    kubectl("create", "deployment", "roll", "--image=nginx:1", "--replicas=4")
    kubectl("patch", "deployment", "roll", "-p",
            '{"spec":{"strategy":{"rollingUpdate":{"maxSurge":1,"maxUnavailable":1}}}}')
    wait_rolled_out(kubectl, "roll", 4)
    with EventLog(server, f"/api/v1/namespaces/{ns}/pods", {"labelSelector": "app=roll"}) as log, \
            EventLog(server, f"/apis/apps/v1/namespaces/{ns}/replicasets", {"labelSelector": "app=roll"}) as sets_log:
        listed = len(log.snapshot())  # the four running pods, as ADDED events from the initial list
        assert listed == 4
        kubectl("set", "image", "deployment/roll", "nginx=nginx:2")
        assert rollout_status(kubectl, "roll") == 'deployment "roll" successfully rolled out'
        wait_for(lambda: len(live_pods(kubectl, "app=roll")) == 4
                 and all(p["spec"]["containers"][0]["image"] == "nginx:2" for p in live_pods(kubectl, "app=roll")),
                 30, "four new pods only")
        events = log.snapshot()
        set_events = sets_log.snapshot()
    ready_counts = []
    for i, (_, state) in enumerate(replay(events)):
        if i < listed - 1:
            continue
        live = [p for p in state.values() if not pod_terminating(p)]
        ready_counts.append(sum(1 for p in live if pod_running_and_ready(p)))
    assert min(ready_counts) >= 3, f"ready pods dropped to {min(ready_counts)} (maxUnavailable 1 of 4)"
    # maxSurge bounds the ReplicaSets' sizes (pods of a set scaled down go a moment after the new set grows).
    sizes = [sum(rs["spec"]["replicas"] for rs in state.values()) for _, state in replay(set_events)]
    trail = [(e["type"], e["object"]["metadata"]["name"], e["object"]["spec"]["replicas"],
              e["object"]["metadata"]["resourceVersion"]) for e in set_events]
    assert max(sizes) <= 5, f"ReplicaSets sized {max(sizes)} at once (maxSurge 1 over 4): {trail}"


def test_delete_removes_replica_sets_and_pods(kubectl):
    kubectl("create", "deployment", "gone", "--image=nginx", "--replicas=2")
    wait_rolled_out(kubectl, "gone", 2)
    assert kubectl("delete", "deployment", "gone").strip() == 'deployment.apps "gone" deleted'
    wait_for(lambda: not replica_sets(kubectl, "app=gone"), 30, "ReplicaSets gone")
    wait_for(lambda: not kubectl.json("get", "pods", "-l", "app=gone")["items"], 30, "pods gone")


def test_python_client_create_from_yaml(server, clients, ns, kubectl):
    created = k8s_utils.create_from_yaml(clients.api_client, str(MANIFESTS / "nginx-deployment.yml"), namespace=ns)
    assert created[0][0].metadata.name == "nginx-deployment"
    wait_rolled_out(kubectl, "nginx-deployment", 3)
    deployment = clients.apps.read_namespaced_deployment("nginx-deployment", ns)
    assert deployment.status.available_replicas == 3
    assert deployment.spec.strategy.rolling_update.max_surge == "25%"
    scale = clients.apps.read_namespaced_deployment_scale("nginx-deployment", ns)
    assert (scale.spec.replicas, scale.status.replicas, scale.status.selector) == (3, 3, "app=nginx")
    sets = clients.apps.list_namespaced_replica_set(ns, label_selector="app=nginx").items
    assert len(sets) == 1 and sets[0].status.ready_replicas == 3


def test_python_client_create_from_multi_document_yaml(clients, ns, kubectl, tmp_path):
    document = tmp_path / "web.yml"
    document.write_text("""\
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
  - port: 80
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: nginx
---
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: standalone
spec:
  replicas: 1
  selector:
    matchLabels:
      app: standalone
  template:
    metadata:
      labels:
        app: standalone
    spec:
      containers:
      - name: web
        image: nginx
""")
    created = k8s_utils.create_from_yaml(clients.api_client, str(document), namespace=ns)
    assert [objects[0].kind for objects in created] == ["Service", "Deployment", "ReplicaSet"]
    wait_rolled_out(kubectl, "web", 2)
    wait_for(lambda: (clients.apps.read_namespaced_replica_set("standalone", ns).status.ready_replicas or 0) == 1,
             30, "the standalone ReplicaSet's pod ready")
    pods = live_pods(kubectl, "app=standalone")
    assert len(pods) == 1 and pods[0]["metadata"]["name"].startswith("standalone-")
    endpoints = wait_for(lambda: (kubectl.json("get", "endpoints", "web").get("subsets") or [{}])[0].get("addresses"),
                         30, "the Service's endpoints list the Deployment's pods")
    assert len(endpoints) == 2
