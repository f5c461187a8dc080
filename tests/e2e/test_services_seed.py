"""The seed's network-identity lesson with the real kubectl: redis-sts.yml, then its Service (headless or not),
whose Endpoints and EndpointSlices list both pods with their hostnames, and follow a recreated pod."""

import re
from datetime import datetime

from support import get_or_none, kubectl_delete, parse_table, wait_for, wait_for_ready_pods, wait_for_statefulset

PODS = ["redis-sts-0", "redis-sts-1"]


def apply(kubectl, manifests, name):
    return kubectl("apply", "-f", manifests / name).strip()


def timestamp(text):
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ")


def describe_endpoints(kubectl, service):
    """The `Endpoints:` line of `kubectl describe svc`, as a set of ip:port."""
    text = kubectl("describe", "svc", service)
    match = re.search(r"^Endpoints:\s*(.*)$", text, re.MULTILINE)
    assert match, f"no Endpoints line in:\n{text}"
    value = match.group(1).strip()
    return set() if value in ("", "<none>") else set(value.split(","))


def endpoint_hostnames(kubectl, service):
    """{hostname: ip} of the Endpoints' ready addresses, and the port lists of each subset."""
    endpoints = kubectl.json("get", "endpoints", service)
    subsets = endpoints.get("subsets") or []
    addresses = [a for s in subsets for a in s.get("addresses") or []]
    return {a.get("hostname"): a["ip"] for a in addresses}, [s.get("ports") for s in subsets]


def start_redis_sts(kubectl, manifests):
    assert apply(kubectl, manifests, "redis-sts.yml") == "statefulset.apps/redis-sts created"
    return wait_for_statefulset(kubectl, "redis-sts", 2)


def test_seed_statefulset_runs_two_ordered_pods(kubectl, manifests):
    assert apply(kubectl, manifests, "redis-sts.yml") == "statefulset.apps/redis-sts created"

    def two_of_two():
        rows = parse_table(kubectl("get", "sts"))[0]["rows"]
        return rows and rows[0]["NAME"] == "redis-sts" and rows[0]["READY"] == "2/2"

    wait_for(two_of_two, 45, "kubectl get sts to show redis-sts 2/2", interval=0.2)
    rows = {r["NAME"]: r for r in parse_table(kubectl("get", "pod"))[0]["rows"]}
    assert sorted(rows) == PODS, rows
    for name in PODS:
        assert rows[name]["READY"] == "1/1" and rows[name]["STATUS"] == "Running", rows[name]

    pods = wait_for_ready_pods(kubectl, PODS)
    zero, one = pods["redis-sts-0"], pods["redis-sts-1"]
    # OrderedReady: 1 is created only once 0 is Running and Ready, so 0 is the older one
    assert timestamp(zero["metadata"]["creationTimestamp"]) <= timestamp(one["metadata"]["creationTimestamp"])
    ready_zero = next(c for c in zero["status"]["conditions"] if c["type"] == "Ready")
    assert timestamp(ready_zero["lastTransitionTime"]) <= timestamp(one["metadata"]["creationTimestamp"])
    for name, pod in pods.items():
        assert pod["spec"]["hostname"] == name and pod["spec"]["subdomain"] == "redis-svc", pod["spec"]
        assert pod["status"]["podIP"], pod["status"]


def test_describe_headless_service_lists_both_pod_ips(kubectl, manifests):
    pods = start_redis_sts(kubectl, manifests)
    assert apply(kubectl, manifests, "redis-headless-svc.yml") == "service/redis-svc created"
    expected = {f"{pods[name]['status']['podIP']}:6379" for name in PODS}
    wait_for(lambda: describe_endpoints(kubectl, "redis-svc") == expected, 30,
             f"kubectl describe svc redis-svc to show Endpoints {sorted(expected)}", interval=0.2)

    text = kubectl("describe", "svc", "redis-svc")
    for pattern in [r"^Name:\s+redis-svc$", r"^Selector:\s+app=redis-sts$", r"^Type:\s+ClusterIP$",
                    r"^IP:\s+None$", r"^Port:\s+<unset>\s+6379/TCP$", r"^TargetPort:\s+6379/TCP$"]:
        assert re.search(pattern, text, re.MULTILINE), f"{pattern!r} not in:\n{text}"


def test_endpoints_carry_the_statefulset_hostnames(kubectl, manifests):
    pods = start_redis_sts(kubectl, manifests)
    apply(kubectl, manifests, "redis-headless-svc.yml")
    expected = {name: pods[name]["status"]["podIP"] for name in PODS}
    wait_for(lambda: endpoint_hostnames(kubectl, "redis-svc")[0] == expected, 30,
             f"Endpoints redis-svc to list {expected} with hostnames", interval=0.2)

    endpoints = kubectl.json("get", "endpoints", "redis-svc")
    assert endpoints["metadata"]["labels"].get("service.kubernetes.io/headless") == "", endpoints["metadata"]
    [subset] = endpoints["subsets"]
    assert subset["ports"] == [{"port": 6379, "protocol": "TCP"}], subset
    assert not subset.get("notReadyAddresses"), subset
    for address in subset["addresses"]:
        ref = address["targetRef"]
        assert ref["kind"] == "Pod" and ref["name"] == address["hostname"], address
        assert ref["uid"] == pods[ref["name"]]["metadata"]["uid"], address
        assert address["nodeName"] == pods[ref["name"]]["spec"]["nodeName"], address


def test_endpoint_slice_of_the_headless_service(kubectl, manifests):
    pods = start_redis_sts(kubectl, manifests)
    apply(kubectl, manifests, "redis-headless-svc.yml")
    expected = {name: pods[name]["status"]["podIP"] for name in PODS}

    def slice_endpoints():
        items = kubectl.json("get", "endpointslices", "-l", "kubernetes.io/service-name=redis-svc")["items"]
        found = {e.get("hostname"): e["addresses"][0] for s in items for e in s.get("endpoints") or []}
        return found == expected and items

    [endpoint_slice] = wait_for(slice_endpoints, 30, f"an EndpointSlice of redis-svc listing {expected}", interval=0.2)
    labels = endpoint_slice["metadata"]["labels"]
    assert labels["kubernetes.io/service-name"] == "redis-svc", labels
    assert labels["endpointslice.kubernetes.io/managed-by"] == "endpointslice-controller.k8s.io", labels
    assert endpoint_slice["metadata"]["name"].startswith("redis-svc-"), endpoint_slice["metadata"]
    owner = endpoint_slice["metadata"]["ownerReferences"][0]
    assert owner["kind"] == "Service" and owner["name"] == "redis-svc" and owner.get("controller") is True, owner
    assert endpoint_slice["addressType"] == "IPv4"
    assert endpoint_slice["ports"] == [{"name": "", "port": 6379, "protocol": "TCP"}], endpoint_slice["ports"]
    for endpoint in endpoint_slice["endpoints"]:
        assert endpoint["conditions"] == {"ready": True, "serving": True, "terminating": False}, endpoint
        assert endpoint["targetRef"]["name"] == endpoint["hostname"], endpoint
        assert endpoint["nodeName"] == pods[endpoint["hostname"]]["spec"]["nodeName"], endpoint


def test_cluster_ip_service_of_the_chapter_lists_both_pods(kubectl, manifests):
    pods = start_redis_sts(kubectl, manifests)
    assert apply(kubectl, manifests, "redis-svc.yml") == "service/redis-svc created"
    expected = {f"{pods[name]['status']['podIP']}:6379" for name in PODS}
    wait_for(lambda: describe_endpoints(kubectl, "redis-svc") == expected, 30,
             f"kubectl describe svc redis-svc to show Endpoints {sorted(expected)}", interval=0.2)
    cluster_ip = kubectl.json("get", "svc", "redis-svc")["spec"]["clusterIP"]
    text = kubectl("describe", "svc", "redis-svc")
    assert re.search(rf"^IP:\s+{re.escape(cluster_ip)}$", text, re.MULTILINE), text
    # the hostname goes on every address whose pod names this Service as its subdomain, headless or not
    hostnames, _ = endpoint_hostnames(kubectl, "redis-svc")
    assert hostnames == {name: pods[name]["status"]["podIP"] for name in PODS}, hostnames
    assert "service.kubernetes.io/headless" not in (kubectl.json("get", "endpoints", "redis-svc")["metadata"]
                                                     .get("labels") or {})


def test_endpoints_follow_a_recreated_pod(kubectl, manifests):
    pods = start_redis_sts(kubectl, manifests)
    apply(kubectl, manifests, "redis-headless-svc.yml")
    old_ip = pods["redis-sts-0"]["status"]["podIP"]
    wait_for(lambda: endpoint_hostnames(kubectl, "redis-svc")[0].get("redis-sts-0") == old_ip, 30,
             "Endpoints to list redis-sts-0", interval=0.2)

    assert kubectl_delete(kubectl, "pod", "redis-sts-0").strip() == 'pod "redis-sts-0" deleted'

    def recreated():
        pod = get_or_none(kubectl, "pod", "redis-sts-0")
        return (pod and pod["metadata"]["uid"] != pods["redis-sts-0"]["metadata"]["uid"]
                and pod["status"].get("podIP") and pod)

    new_pod = wait_for(recreated, 30, "redis-sts-0 to be recreated with an IP", interval=0.2)
    new_ip = new_pod["status"]["podIP"]
    assert new_ip != old_ip, f"the recreated pod kept its address {old_ip}"
    wait_for(lambda: endpoint_hostnames(kubectl, "redis-svc")[0] == {
        "redis-sts-0": new_ip, "redis-sts-1": pods["redis-sts-1"]["status"]["podIP"]}, 30,
        f"Endpoints to list the new redis-sts-0 address {new_ip} instead of {old_ip}", interval=0.2)
