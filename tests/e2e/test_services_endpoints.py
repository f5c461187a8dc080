"""Endpoints and EndpointSlices with the real kubectl: ports resolved from a named targetPort per pod, unready pods
(annotated `kubelite.dev/ready=false`) in notReadyAddresses unless publishNotReadyAddresses, terminal pods left
out."""

import re

import yaml

from support import condition, get_or_none, wait_for, wait_for_ready_pods


def pod(name, app, port_name="http", port=8080):
    container = {"name": "app", "image": "nginx:1.27"}
    if port_name:
        container["ports"] = [{"name": port_name, "containerPort": port}]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": {"app": app}},
            "spec": {"containers": [container]}}


def service(name, app, target_port="http", **extra):
    spec = {"selector": {"app": app}, "ports": [{"name": "web", "port": 80, "targetPort": target_port}], **extra}
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name}, "spec": spec}


def create(kubectl, *objects):
    """Applies the objects as one multi-document stream."""
    kubectl("apply", "-f", "-", input=yaml.safe_dump_all(objects))


def endpoint_ports(kubectl, name):
    """{ip: [(port name, port, protocol)]} of the Endpoints' ready addresses, and the same of notReadyAddresses."""
    endpoints = get_or_none(kubectl, "endpoints", name) or {}
    ready, not_ready = {}, {}
    for subset in endpoints.get("subsets") or []:
        ports = sorted((p.get("name"), p["port"], p["protocol"]) for p in subset.get("ports") or [])
        for address in subset.get("addresses") or []:
            ready[address["ip"]] = ports
        for address in subset.get("notReadyAddresses") or []:
            not_ready[address["ip"]] = ports
    return ready, not_ready


def slice_endpoints(kubectl, service_name):
    """{ip: (conditions, [(port name, port, protocol)])} over the Service's EndpointSlices."""
    items = kubectl.json("get", "endpointslices", "-l", f"kubernetes.io/service-name={service_name}")["items"]
    found = {}
    for endpoint_slice in items:
        ports = sorted((p.get("name"), p.get("port"), p.get("protocol")) for p in endpoint_slice.get("ports") or [])
        for endpoint in endpoint_slice.get("endpoints") or []:
            for address in endpoint["addresses"]:
                found[address] = (endpoint["conditions"], ports)
    return found


def wait_endpoints(kubectl, name, ready, not_ready, message):
    last = []

    def matches():
        last[:] = [endpoint_ports(kubectl, name)]
        return last[0] == (ready, not_ready)

    try:
        wait_for(matches, 30, message, interval=0.2)
    except AssertionError as failure:
        raise AssertionError(f"{failure}; expected ready={ready} notReady={not_ready}; last: {last}") from None


def test_named_target_port_resolves_from_each_pods_container_port(kubectl):
    create(kubectl, pod("web-a", "web", port=8080), pod("web-b", "web", port=9090),
           pod("web-unnamed", "web", port_name=None), service("web", "web"))
    pods = wait_for_ready_pods(kubectl, ["web-a", "web-b", "web-unnamed"])
    a, b = pods["web-a"]["status"]["podIP"], pods["web-b"]["status"]["podIP"]
    unnamed = pods["web-unnamed"]["status"]["podIP"]

    # the pod without a port named http has no address for this port, so none at all
    wait_endpoints(kubectl, "web", {a: [("web", 8080, "TCP")], b: [("web", 9090, "TCP")]}, {},
                   "Endpoints web to resolve targetPort http per pod")
    endpoints = kubectl.json("get", "endpoints", "web")
    assert len(endpoints["subsets"]) == 2, endpoints["subsets"]

    # EndpointSlices group endpoints by their resolved port set: one slice per port, and the pod without the
    # named port in a slice of its own with no ports (upstream's reconciler keys slices by the port map)
    ready = {"ready": True, "serving": True, "terminating": False}
    wait_for(lambda: slice_endpoints(kubectl, "web") == {
        a: (ready, [("web", 8080, "TCP")]), b: (ready, [("web", 9090, "TCP")]), unnamed: (ready, [])}, 30,
        "EndpointSlices of web with ports 8080, 9090 and none", interval=0.2)

    # kubectl 1.32 describes a Service's endpoints from its EndpointSlices: ip:port, or the bare ip without ports
    text = kubectl("describe", "svc", "web")
    assert re.search(r"^TargetPort:\s+http/TCP$", text, re.MULTILINE), text
    line = re.search(r"^Endpoints:\s+(\S+)$", text, re.MULTILINE)
    assert line and set(line.group(1).split(",")) == {f"{a}:8080", f"{b}:9090", unnamed}, text


def test_unready_pod_moves_to_not_ready_addresses(kubectl):
    create(kubectl, pod("db-0", "db"), pod("db-1", "db"), service("db", "db"))
    pods = wait_for_ready_pods(kubectl, ["db-0", "db-1"])
    ready_ip, unready_ip = pods["db-0"]["status"]["podIP"], pods["db-1"]["status"]["podIP"]
    port = [("web", 8080, "TCP")]
    wait_endpoints(kubectl, "db", {ready_ip: port, unready_ip: port}, {}, "both pods ready endpoints")

    assert kubectl("annotate", "pod", "db-1", "kubelite.dev/ready=false").strip() == "pod/db-1 annotated"
    wait_for(lambda: condition(kubectl.json("get", "pod", "db-1"), "Ready").get("status") == "False", 30,
             "db-1 to report Ready False", interval=0.2)
    unready = kubectl.json("get", "pod", "db-1")
    assert unready["status"]["phase"] == "Running", unready["status"]
    wait_endpoints(kubectl, "db", {ready_ip: port}, {unready_ip: port}, "db-1 in notReadyAddresses")
    wait_for(lambda: slice_endpoints(kubectl, "db") == {
        ready_ip: ({"ready": True, "serving": True, "terminating": False}, port),
        unready_ip: ({"ready": False, "serving": False, "terminating": False}, port)}, 30,
        "the EndpointSlice to show db-1 not ready", interval=0.2)
    text = kubectl("describe", "svc", "db")
    assert re.search(rf"^Endpoints:\s+{re.escape(ready_ip)}:8080$", text, re.MULTILINE), text

    assert kubectl("annotate", "pod", "db-1", "kubelite.dev/ready-").strip() == "pod/db-1 annotated"
    wait_endpoints(kubectl, "db", {ready_ip: port, unready_ip: port}, {}, "db-1 ready again")


def test_publish_not_ready_addresses_lists_unready_pods_as_ready(kubectl):
    create(kubectl, pod("peer-0", "peer"), pod("peer-1", "peer"),
           service("peer", "peer", publishNotReadyAddresses=True, clusterIP="None"))
    pods = wait_for_ready_pods(kubectl, ["peer-0", "peer-1"])
    ips = [pods[name]["status"]["podIP"] for name in ("peer-0", "peer-1")]
    port = [("web", 8080, "TCP")]
    kubectl("annotate", "pod", "peer-1", "kubelite.dev/ready=false")
    wait_for(lambda: condition(kubectl.json("get", "pod", "peer-1"), "Ready").get("status") == "False", 30,
             "peer-1 to report Ready False", interval=0.2)
    wait_endpoints(kubectl, "peer", {ips[0]: port, ips[1]: port}, {}, "both peers listed as ready")
    wait_for(lambda: slice_endpoints(kubectl, "peer") == {
        ips[0]: ({"ready": True, "serving": True, "terminating": False}, port),
        ips[1]: ({"ready": True, "serving": False, "terminating": False}, port)}, 30,
        "the EndpointSlice to show peer-1 ready (published) but not serving", interval=0.2)


def test_failed_pod_leaves_the_endpoints(kubectl):
    create(kubectl, pod("job-0", "job"), pod("job-1", "job"), service("job", "job"))
    pods = wait_for_ready_pods(kubectl, ["job-0", "job-1"])
    ips = {name: pods[name]["status"]["podIP"] for name in pods}
    port = [("web", 8080, "TCP")]
    wait_endpoints(kubectl, "job", {ips["job-0"]: port, ips["job-1"]: port}, {}, "both pods listed")

    kubectl("annotate", "pod", "job-1", "kubelite.dev/phase=Failed")
    wait_for(lambda: kubectl.json("get", "pod", "job-1")["status"]["phase"] == "Failed", 30,
             "job-1 to fail", interval=0.2)
    wait_endpoints(kubectl, "job", {ips["job-0"]: port}, {}, "the failed pod gone from the Endpoints")
    wait_for(lambda: set(slice_endpoints(kubectl, "job")) == {ips["job-0"]}, 30,
             "the failed pod gone from the EndpointSlice", interval=0.2)
