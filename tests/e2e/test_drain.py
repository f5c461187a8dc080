"""PodDisruptionBudgets with the real kubectl 1.32: `kubectl get pdb` columns, the status the disruption
controller computes, the eviction subresource's 429, and `kubectl drain` honouring a budget on a
two-node Kubelite (its pods evicted one at a time, drain retrying while the budget allows none)."""

from kubernetes import client as k8s_client

from support import EventLog, Kubectl, assert_status, parse_table, pod_running_and_ready, pod_terminating, replay, wait_for


def budget_status(kubectl, name):
    return kubectl.json("get", "pdb", name).get("status") or {}


def test_pdb_columns_status_and_eviction(kubectl, ns, raw):
    kubectl("create", "deployment", "web", "--image=nginx", "--replicas=3")
    assert kubectl("create", "pdb", "web-pdb", "--selector=app=web", "--min-available=2").strip() == \
        "poddisruptionbudget.policy/web-pdb created"
    status = wait_for(lambda: (s := budget_status(kubectl, "web-pdb")).get("currentHealthy") == 3 and s, 30,
                      "the budget sees 3 healthy pods")
    assert (status["desiredHealthy"], status["expectedPods"], status["disruptionsAllowed"]) == (2, 3, 1)
    assert status["observedGeneration"] == 1
    condition = status["conditions"][0]
    assert (condition["type"], condition["status"], condition["reason"]) == ("DisruptionAllowed", "True", "SufficientPods")
    table = parse_table(kubectl("get", "pdb"))[0]
    assert table["header"] == ["NAME", "MIN AVAILABLE", "MAX UNAVAILABLE", "ALLOWED DISRUPTIONS", "AGE"]
    row = table["rows"][0]
    assert (row["NAME"], row["MIN AVAILABLE"], row["MAX UNAVAILABLE"], row["ALLOWED DISRUPTIONS"]) == ("web-pdb", "2", "N/A", "1")

    pods = [p["metadata"]["name"] for p in kubectl.json("get", "pods", "-l", "app=web")["items"]]

    def evict(name):
        return raw("POST", f"/api/v1/namespaces/{ns}/pods/{name}/eviction",
                   {"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": name, "namespace": ns}})

    first = evict(pods[0])
    assert first.status_code == 201 and first.json() == {"kind": "Status", "apiVersion": "v1", "metadata": {},
                                                          "status": "Success", "code": 201}
    refused = assert_status(evict(pods[1]), 429, "TooManyRequests",
                            "Cannot evict pod as it would violate the pod's disruption budget.")
    assert refused["details"]["causes"][0]["reason"] == "DisruptionBudget"
    assert refused["details"]["causes"][0]["message"].startswith("The disruption budget web-pdb needs 2 healthy pods")
    # The replacement makes room again.
    wait_for(lambda: budget_status(kubectl, "web-pdb").get("disruptionsAllowed") == 1, 30, "the budget recovered")
    assert evict(pods[1]).status_code == 201

    assert_status(evict("missing"), 404, "NotFound", 'pods "missing" not found')
    invalid = kubectl.run("create", "pdb", "both", "--selector=app=web", "--min-available=1", "--max-unavailable=1")
    assert invalid.returncode != 0
    policy = k8s_client.PolicyV1Api(kubectl.server.api_client())
    assert policy.read_namespaced_pod_disruption_budget("web-pdb", ns).spec.min_available == 2


def test_drain_honours_the_budget(start_server, kubectl_cache, tmp_path):
    server = start_server("--nodes", "2")
    kubectl = Kubectl(server, kubectl_cache, namespace="default")
    kubectl("create", "deployment", "web", "--image=nginx", "--replicas=3")
    kubectl("create", "pdb", "web-pdb", "--selector=app=web", "--min-available=2")
    wait_for(lambda: budget_status(kubectl, "web-pdb").get("currentHealthy") == 3, 30, "3 healthy pods")
    pods = kubectl.json("get", "pods", "-l", "app=web")["items"]
    on_first = [p["metadata"]["name"] for p in pods if p["spec"]["nodeName"] == "kubelite-node-1"]
    # Put at least two of them on the node to drain, so the budget has to hold the second back.
    if len(on_first) < 2:
        kubectl("cordon", "kubelite-node-2")
        for pod in pods:
            if pod["spec"]["nodeName"] == "kubelite-node-2":
                kubectl("delete", "pod", pod["metadata"]["name"], "--wait=false")
        wait_for(lambda: len([p for p in kubectl.json("get", "pods", "-l", "app=web")["items"]
                              if p["spec"].get("nodeName") == "kubelite-node-1" and pod_running_and_ready(p)
                              and not pod_terminating(p)]) == 3, 30, "all pods on kubelite-node-1")
        kubectl("uncordon", "kubelite-node-2")
        wait_for(lambda: budget_status(kubectl, "web-pdb").get("currentHealthy") == 3, 30, "3 healthy pods again")

    with EventLog(server, "/api/v1/namespaces/default/pods", {"labelSelector": "app=web"}) as log:
        listed = len(log.snapshot())
        result = kubectl.run("drain", "kubelite-node-1", "--ignore-daemonsets", "--delete-emptydir-data", "--timeout=120s",
                             namespace=None)
        events = log.snapshot()
    assert result.returncode == 0, result.stderr
    assert "node/kubelite-node-1 cordoned" in result.stdout
    assert "node/kubelite-node-1 drained" in result.stdout
    # kubectl retried an eviction the budget refused.
    assert "Cannot evict pod as it would violate the pod's disruption budget." in result.stderr
    assert kubectl.json("get", "node", "kubelite-node-1", namespace=None)["spec"]["unschedulable"] is True
    # Never fewer than minAvailable ready pods that are not going away.
    for index, (event, state) in enumerate(replay(events)):
        if index < listed - 1:
            continue  # still replaying the list the watch started from
        healthy = [p for p in state.values() if pod_running_and_ready(p) and not pod_terminating(p)]
        assert len(healthy) >= 2, f"budget violated after {event['type']} {event['object']['metadata']['name']}"
    remaining = kubectl.json("get", "pods", "-l", "app=web")["items"]
    assert all(p["spec"]["nodeName"] == "kubelite-node-2" for p in remaining if not pod_terminating(p))
    evicted = [p for p in events if p["type"] == "MODIFIED" and any(
        c.get("type") == "DisruptionTarget" and c.get("reason") == "EvictionByEvictionAPI"
        for c in (p["object"].get("status") or {}).get("conditions") or [])]
    assert evicted, "evicted pods carry the DisruptionTarget condition"
