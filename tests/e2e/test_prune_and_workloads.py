"""kubectl 1.32's default prune allowlist (ReplicationControllers, DaemonSets, Ingresses, Jobs, CronJobs
and the core kinds) against Kubelite, and the three kinds it needed: a DaemonSet with a pod per node
rolling out an update on a two-node Kubelite and left alone by `kubectl drain --ignore-daemonsets`, a
ReplicationController scaled with `kubectl scale rc`, and an Ingress through get and describe."""

import yaml
from kubernetes import client as k8s_client

from support import Kubectl, assert_status, parse_table, pod_running_and_ready, pod_terminating, wait_for


def write(directory, name, document):
    (directory / name).write_text(yaml.safe_dump(document, sort_keys=False))


def config_map(name, app):
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "labels": {"app": app}},
            "data": {"k": name}}


def daemon_set(name, image="nginx:1.27"):
    return {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": name},
            "spec": {"selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": [{"name": "agent", "image": image}]}}}}


def test_apply_prune_with_the_default_allowlist(kubectl, ns, tmp_path):
    manifests = tmp_path / "manifests"
    manifests.mkdir()
    write(manifests, "a.yaml", config_map("a", "x"))
    write(manifests, "b.yaml", config_map("b", "x"))
    kubectl("create", "configmap", "other", "--from-literal=k=v")
    kubectl("label", "configmap", "other", "app=x")  # labelled, but never applied: not pruned
    first = kubectl.run("apply", "--prune", "-l", "app=x", "-f", str(manifests))
    assert first.returncode == 0, first.stderr
    assert "configmap/a created" in first.stdout and "configmap/b created" in first.stdout

    (manifests / "b.yaml").unlink()
    second = kubectl.run("apply", "--prune", "-l", "app=x", "-f", str(manifests))
    assert second.returncode == 0, second.stderr
    assert "configmap/b pruned" in second.stdout
    assert "no matches for kind" not in second.stderr
    names = {c["metadata"]["name"] for c in kubectl.json("get", "configmaps", "-l", "app=x")["items"]}
    assert names == {"a", "other"}


def test_daemonset_pod_per_node_rolls_out(start_server, kubectl_cache, tmp_path):
    server = start_server("--nodes", "2")
    kubectl = Kubectl(server, kubectl_cache, namespace="default")
    write(tmp_path, "ds.yaml", daemon_set("agent"))
    assert kubectl("apply", "-f", str(tmp_path / "ds.yaml")).strip() == "daemonset.apps/agent created"
    rollout = kubectl.run("rollout", "status", "ds/agent", "--timeout=60s")
    assert rollout.returncode == 0, rollout.stderr
    assert 'daemon set "agent" successfully rolled out' in rollout.stdout
    pods = kubectl.json("get", "pods", "-l", "app=agent")["items"]
    assert sorted(p["spec"]["nodeName"] for p in pods) == ["kubelite-node-1", "kubelite-node-2"]
    for pod in pods:
        terms = pod["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"]
        assert terms == [{"matchFields": [{"key": "metadata.name", "operator": "In", "values": [pod["spec"]["nodeName"]]}]}]
        assert pod["metadata"]["ownerReferences"][0]["kind"] == "DaemonSet"
    table = parse_table(kubectl("get", "ds"))[0]
    assert table["header"] == ["NAME", "DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE", "NODE SELECTOR", "AGE"]
    row = table["rows"][0]
    assert [row[c] for c in table["header"][:7]] == ["agent", "2", "2", "2", "2", "2", "<none>"]

    kubectl("set", "image", "ds/agent", "agent=nginx:1.28")
    rollout = kubectl.run("rollout", "status", "ds/agent", "--timeout=90s")
    assert rollout.returncode == 0, rollout.stderr

    def rolled_out():
        live = [p for p in kubectl.json("get", "pods", "-l", "app=agent")["items"] if not pod_terminating(p)]
        return len(live) == 2 and all(p["spec"]["containers"][0]["image"] == "nginx:1.28" and pod_running_and_ready(p)
                                      for p in live)
    wait_for(rolled_out, 30, "both nodes run the new template")
    status = kubectl.json("get", "ds", "agent")["status"]
    assert (status["desiredNumberScheduled"], status["updatedNumberScheduled"], status["numberAvailable"]) == (2, 2, 2)
    assert status["observedGeneration"] == 2
    history = kubectl("rollout", "history", "ds/agent")
    assert [line.split()[0] for line in history.splitlines()[2:] if line.strip()] == ["1", "2"]


def test_drain_ignores_the_daemonset_pod(start_server, kubectl_cache, tmp_path):
    server = start_server("--nodes", "2")
    kubectl = Kubectl(server, kubectl_cache, namespace="default")
    write(tmp_path, "ds.yaml", daemon_set("agent"))
    kubectl("apply", "-f", str(tmp_path / "ds.yaml"))
    assert kubectl.run("rollout", "status", "ds/agent", "--timeout=60s").returncode == 0
    on_first = [p["metadata"]["name"] for p in kubectl.json("get", "pods", "-l", "app=agent")["items"]
                if p["spec"]["nodeName"] == "kubelite-node-1"]
    assert len(on_first) == 1

    refused = kubectl.run("drain", "kubelite-node-1", "--timeout=30s", namespace=None)
    assert refused.returncode != 0
    assert "cannot delete DaemonSet-managed Pods" in refused.stderr

    result = kubectl.run("drain", "kubelite-node-1", "--ignore-daemonsets", "--timeout=60s", namespace=None)
    assert result.returncode == 0, result.stderr
    assert "node/kubelite-node-1 drained" in result.stdout
    assert f"ignoring DaemonSet-managed Pods: default/{on_first[0]}" in result.stderr
    # The daemon pod tolerates the cordon (node.kubernetes.io/unschedulable) and stays.
    pod = kubectl.json("get", "pod", on_first[0])
    assert not pod_terminating(pod) and pod["spec"]["nodeName"] == "kubelite-node-1"
    assert kubectl.json("get", "ds", "agent")["status"]["desiredNumberScheduled"] == 2


def test_replication_controller_scales(kubectl, tmp_path):
    rc = {"apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": "web"},
          "spec": {"replicas": 2, "template": {"metadata": {"labels": {"app": "web-rc"}},
                                               "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}}}}
    write(tmp_path, "rc.yaml", rc)
    assert kubectl("apply", "-f", str(tmp_path / "rc.yaml")).strip() == "replicationcontroller/web created"
    stored = kubectl.json("get", "rc", "web")
    assert stored["spec"]["selector"] == {"app": "web-rc"} and stored["metadata"]["labels"] == {"app": "web-rc"}

    def ready(n):
        return lambda: kubectl.json("get", "rc", "web")["status"].get("readyReplicas", 0) == n and \
            len([p for p in kubectl.json("get", "pods", "-l", "app=web-rc")["items"] if not pod_terminating(p)]) == n
    wait_for(ready(2), 60, "2 ready replicas")
    table = parse_table(kubectl("get", "rc"))[0]
    assert table["header"] == ["NAME", "DESIRED", "CURRENT", "READY", "AGE"]
    assert [table["rows"][0][c] for c in ["NAME", "DESIRED", "CURRENT", "READY"]] == ["web", "2", "2", "2"]
    assert kubectl("scale", "rc", "web", "--replicas=3").strip() == "replicationcontroller/web scaled"
    wait_for(ready(3), 60, "3 ready replicas")
    kubectl("scale", "rc", "web", "--replicas=1")
    wait_for(ready(1), 60, "1 ready replica")
    owner = kubectl.json("get", "pods", "-l", "app=web-rc")["items"][0]["metadata"]["ownerReferences"][0]
    assert (owner["apiVersion"], owner["kind"], owner["name"]) == ("v1", "ReplicationController", "web")


def test_ingress_round_trip(kubectl, ns, raw, tmp_path):
    ingress = {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "web"},
               "spec": {"ingressClassName": "nginx", "tls": [{"hosts": ["web.example.com"], "secretName": "web-tls"}],
                        "rules": [{"host": "web.example.com", "http": {"paths": [
                            {"path": "/", "pathType": "Prefix",
                             "backend": {"service": {"name": "web", "port": {"number": 80}}}}]}}]}}
    write(tmp_path, "ing.yaml", ingress)
    assert kubectl("apply", "-f", str(tmp_path / "ing.yaml")).strip() == "ingress.networking.k8s.io/web created"
    table = parse_table(kubectl("get", "ingress"))[0]
    assert table["header"] == ["NAME", "CLASS", "HOSTS", "ADDRESS", "PORTS", "AGE"]
    row = table["rows"][0]
    assert [row[c] for c in ["NAME", "CLASS", "HOSTS", "PORTS"]] == ["web", "nginx", "web.example.com", "80, 443"]
    described = kubectl("describe", "ing", "web")
    assert "Ingress Class:    nginx" in described
    assert "web-tls terminates web.example.com" in described
    assert "web.example.com" in described and "web:80" in described
    assert kubectl.json("get", "ing", "web")["spec"] == ingress["spec"]

    bad = dict(ingress, metadata={"name": "bad"},
               spec={"rules": [{"host": "10.0.0.1", "http": {"paths": [{"path": "/", "backend": {}}]}}]})
    status = assert_status(raw("POST", f"/apis/networking.k8s.io/v1/namespaces/{ns}/ingresses", bad), 422, "Invalid")
    causes = {(c["field"], c["message"]) for c in status["details"]["causes"]}
    assert ("spec.rules[0].host", 'Invalid value: "10.0.0.1": must be a DNS name, not an IP address') in causes
    assert ("spec.rules[0].http.paths[0].pathType", "Required value: pathType must be specified") in causes

    assert kubectl("create", "-f", "-", input=yaml.safe_dump(
        {"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass", "metadata": {"name": f"nginx-{ns}"},
         "spec": {"controller": "k8s.io/ingress-nginx"}})).strip() == f"ingressclass.networking.k8s.io/nginx-{ns} created"
    classes = parse_table(kubectl("get", "ingressclass", f"nginx-{ns}", namespace=None))[0]
    assert classes["header"] == ["NAME", "CONTROLLER", "PARAMETERS", "AGE"]
    assert classes["rows"][0]["PARAMETERS"] == "<none>"
    kubectl("delete", "ingressclass", f"nginx-{ns}", namespace=None)


def test_python_client_reads_the_new_kinds(kubectl, ns):
    api_client = kubectl.server.api_client()
    apps, core = k8s_client.AppsV1Api(api_client), k8s_client.CoreV1Api(api_client)
    networking = k8s_client.NetworkingV1Api(api_client)
    apps.create_namespaced_daemon_set(ns, daemon_set("agent"))
    created = apps.read_namespaced_daemon_set("agent", ns)
    assert created.spec.update_strategy.rolling_update.max_unavailable == 1
    assert created.spec.revision_history_limit == 10
    wait_for(lambda: apps.read_namespaced_daemon_set_status("agent", ns).status.number_available == 1, 60,
             "the daemon pod available")
    core.create_namespaced_replication_controller(ns, {
        "apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": "rc"},
        "spec": {"replicas": 0, "template": {"metadata": {"labels": {"app": "rc"}},
                                             "spec": {"containers": [{"name": "c", "image": "nginx:1.27"}]}}}})
    assert core.read_namespaced_replication_controller_scale("rc", ns).status.selector == "app=rc"
    networking.create_namespaced_ingress(ns, {
        "apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "ing"},
        "spec": {"defaultBackend": {"service": {"name": "web", "port": {"name": "http"}}}}})
    listed = networking.list_namespaced_ingress(ns).items
    assert [i.metadata.name for i in listed] == ["ing"]
    assert listed[0].spec.default_backend.service.port.name == "http"
