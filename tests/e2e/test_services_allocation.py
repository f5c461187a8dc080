"""Service addresses with the real kubectl: ClusterIPs from the service CIDR, a requested clusterIP (honoured when
free and in range, 422 otherwise with upstream's wording), a full range (500 as kube-apiserver answers), node ports
for NodePort and LoadBalancer Services, ExternalName and headless Services without an address, clusterIP
immutability, and addresses and node ports given back on delete."""

import ipaddress
import json
import random

import pytest

from support import Kubectl, assert_status, kubectl_delete

SERVICE_CIDR = ipaddress.ip_network("10.96.0.0/12")
NODE_PORTS = range(30000, 32768)


def create_service(kubectl, name, check=True, **spec):
    """Creates a Service from a manifest on stdin (as `kubectl create -f -`); returns the CompletedProcess."""
    spec.setdefault("ports", [{"port": 80, "targetPort": 8080, "protocol": "TCP"}])
    spec.setdefault("selector", {"app": name})
    manifest = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name}, "spec": spec}
    result = kubectl.run("create", "-f", "-", input=json.dumps(manifest))
    if check:
        assert result.returncode == 0, f"creating service {name}: {result.stderr}"
        assert result.stdout.strip() == f"service/{name} created", result.stdout
    return result


def random_service_ip():
    """An address of the default range's lower part, which dynamic allocation leaves alone until the upper
    part is used up (KEP-3070), so a test's requested address does not collide with other tests' Services."""
    return str(SERVICE_CIDR.network_address + random.randrange(2, 250) * 256 + random.randrange(1, 255))


def random_node_port():
    return random.choice(NODE_PORTS[:1000])


def invalid_stderr(name, detail):
    """kubectl's rendering of a 422 Invalid Status with one cause (create -f, apply, patch)."""
    return f'The Service "{name}" is invalid: {detail}'


def create_service_stderr(kind, name, detail):
    """`kubectl create service <kind>` wraps the server's message in its own error line."""
    return f'error: failed to create {kind} service: Service "{name}" is invalid: {detail}'


def test_cluster_ips_are_allocated_from_the_service_cidr(kubectl):
    assert kubectl("create", "service", "clusterip", "web", "--tcp=80:8080").strip() == "service/web created"
    assert kubectl("create", "service", "clusterip", "api", "--tcp=443:8443").strip() == "service/api created"
    specs = {name: kubectl.json("get", "svc", name)["spec"] for name in ("web", "api")}
    for spec in specs.values():
        ip = ipaddress.ip_address(spec["clusterIP"])
        assert ip in SERVICE_CIDR and ip not in (SERVICE_CIDR.network_address, SERVICE_CIDR.broadcast_address), spec
        assert spec["clusterIPs"] == [spec["clusterIP"]], spec
        assert spec["ipFamilies"] == ["IPv4"] and spec["ipFamilyPolicy"] == "SingleStack", spec
        assert spec["type"] == "ClusterIP" and "nodePort" not in spec["ports"][0], spec
    assert specs["web"]["clusterIP"] != specs["api"]["clusterIP"]


def test_kubernetes_service_holds_the_first_address(server, kubectl_cache):
    default = Kubectl(server, kubectl_cache, namespace="default")
    spec = default.json("get", "svc", "kubernetes")["spec"]
    assert spec["clusterIP"] == "10.96.0.1" and spec["clusterIPs"] == ["10.96.0.1"], spec
    [port] = spec["ports"]
    assert (port["name"], port["port"], port["protocol"]) == ("https", 443, "TCP"), port
    assert spec["type"] == "ClusterIP"
    taken = default.run("create", "service", "clusterip", "not-kubernetes", "--clusterip=10.96.0.1", "--tcp=80:80")
    assert taken.returncode != 0
    detail = ('spec.clusterIPs: Invalid value: []string{"10.96.0.1"}: failed to allocate IP 10.96.0.1: '
              "provided IP is already allocated")
    assert create_service_stderr("ClusterIP", "not-kubernetes", detail) in taken.stderr, taken.stderr


def test_requested_cluster_ip_is_honoured_when_free(kubectl):
    ip = random_service_ip()
    create_service(kubectl, "pinned", clusterIP=ip)
    spec = kubectl.json("get", "svc", "pinned")["spec"]
    assert spec["clusterIP"] == ip and spec["clusterIPs"] == [ip], spec

    taken = create_service(kubectl, "pinned-again", check=False, clusterIP=ip)
    assert taken.returncode != 0
    assert invalid_stderr("pinned-again", f'spec.clusterIPs: Invalid value: []string{{"{ip}"}}: failed to allocate '
                          f"IP {ip}: provided IP is already allocated") in taken.stderr, taken.stderr


def test_requested_cluster_ip_outside_the_range_is_invalid(kubectl, raw, ns):
    outside = create_service(kubectl, "outside", check=False, clusterIP="10.200.0.5")
    assert outside.returncode != 0
    detail = ('spec.clusterIPs: Invalid value: []string{"10.200.0.5"}: failed to allocate IP 10.200.0.5: the provided '
              "IP (10.200.0.5) is not in the valid range. The range of valid IPs is 10.96.0.0/12")
    assert invalid_stderr("outside", detail) in outside.stderr, outside.stderr

    body = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "outside"},
            "spec": {"clusterIP": "10.200.0.5", "ports": [{"port": 80}]}}
    status = assert_status(raw("POST", f"/api/v1/namespaces/{ns}/services", body), 422, "Invalid",
                           f'Service "outside" is invalid: {detail}')
    assert status["details"]["causes"] == [{"reason": "FieldValueInvalid", "field": "spec.clusterIPs",
                                            "message": detail.split("spec.clusterIPs: ", 1)[1]}], status


def test_cluster_ip_may_not_change(kubectl):
    create_service(kubectl, "fixed")
    ip = kubectl.json("get", "svc", "fixed")["spec"]["clusterIP"]
    other = random_service_ip()
    result = kubectl.run("patch", "svc", "fixed", "--type", "merge", "-p", json.dumps({"spec": {"clusterIP": other}}))
    assert result.returncode != 0
    assert invalid_stderr("fixed", f'spec.clusterIPs[0]: Invalid value: []string{{"{other}"}}: may not change once set'
                          ) in result.stderr, result.stderr
    assert kubectl.json("get", "svc", "fixed")["spec"]["clusterIP"] == ip


def test_headless_and_external_name_services_take_no_address(kubectl):
    create_service(kubectl, "headless", clusterIP="None")
    spec = kubectl.json("get", "svc", "headless")["spec"]
    assert spec["clusterIP"] == "None" and spec["clusterIPs"] == ["None"], spec

    out = kubectl("create", "service", "externalname", "elsewhere", "--external-name", "db.example.com")
    assert out.strip() == "service/elsewhere created"
    spec = kubectl.json("get", "svc", "elsewhere")["spec"]
    assert spec["type"] == "ExternalName" and spec["externalName"] == "db.example.com", spec
    assert "clusterIP" not in spec and "clusterIPs" not in spec, spec


def test_cluster_ip_is_released_on_delete(kubectl):
    ip = random_service_ip()
    create_service(kubectl, "first", clusterIP=ip)
    assert kubectl_delete(kubectl, "svc", "first").strip() == 'service "first" deleted'
    create_service(kubectl, "second", clusterIP=ip)
    assert kubectl.json("get", "svc", "second")["spec"]["clusterIP"] == ip


def test_node_ports_for_node_port_and_load_balancer_services(kubectl):
    assert kubectl("create", "service", "nodeport", "np", "--tcp=80:8080").strip() == "service/np created"
    assert kubectl("create", "service", "loadbalancer", "lb", "--tcp=80:8080").strip() == "service/lb created"
    ports = {}
    for name in ("np", "lb"):
        spec = kubectl.json("get", "svc", name)["spec"]
        assert ipaddress.ip_address(spec["clusterIP"]) in SERVICE_CIDR, spec
        ports[name] = spec["ports"][0]["nodePort"]
        assert ports[name] in NODE_PORTS, spec
        assert spec["externalTrafficPolicy"] == "Cluster", spec
    assert ports["np"] != ports["lb"]
    lb = kubectl.json("get", "svc", "lb")["spec"]
    assert lb["allocateLoadBalancerNodePorts"] is True, lb
    row = kubectl("get", "svc", "lb", "--no-headers").split()
    assert row[1] == "LoadBalancer" and row[3] == "<pending>" and row[4] == f"80:{ports['lb']}/TCP", row


def test_requested_node_port_is_honoured_and_refused_when_taken_or_out_of_range(kubectl):
    port = random_node_port()
    out = kubectl("create", "service", "nodeport", "np", "--tcp=80:8080", f"--node-port={port}")
    assert out.strip() == "service/np created"
    assert kubectl.json("get", "svc", "np")["spec"]["ports"][0]["nodePort"] == port

    taken = kubectl.run("create", "service", "nodeport", "np2", "--tcp=80:8080", f"--node-port={port}")
    assert taken.returncode != 0
    detail = f"spec.ports[0].nodePort: Invalid value: {port}: provided port is already allocated"
    assert create_service_stderr("NodePort", "np2", detail) in taken.stderr, taken.stderr

    outside = kubectl.run("create", "service", "nodeport", "np3", "--tcp=80:8080", "--node-port=29999")
    assert outside.returncode != 0
    detail = ("spec.ports[0].nodePort: Invalid value: 29999: provided port is not in the valid range. "
              "The range of valid ports is 30000-32767")
    assert create_service_stderr("NodePort", "np3", detail) in outside.stderr, outside.stderr


def test_node_port_is_released_on_delete(kubectl):
    port = random_node_port()
    kubectl("create", "service", "nodeport", "np", "--tcp=80:8080", f"--node-port={port}")
    assert kubectl_delete(kubectl, "svc", "np").strip() == 'service "np" deleted'
    assert kubectl("create", "service", "nodeport", "np-again", "--tcp=80:8080", f"--node-port={port}").strip() == (
        "service/np-again created")


def test_node_port_is_released_when_the_type_goes_back_to_cluster_ip(kubectl):
    port = random_node_port()
    kubectl("create", "service", "nodeport", "np", "--tcp=80:8080", f"--node-port={port}")
    # a merge patch replaces the port list: the new one carries no nodePort
    patch = json.dumps({"spec": {"type": "ClusterIP",
                                 "ports": [{"name": "80-8080", "port": 80, "targetPort": 8080, "protocol": "TCP"}]}})
    assert kubectl("patch", "svc", "np", "--type", "merge", "-p", patch).strip() == "service/np patched"
    assert "nodePort" not in kubectl.json("get", "svc", "np")["spec"]["ports"][0]
    assert kubectl("create", "service", "nodeport", "np-again", "--tcp=80:8080", f"--node-port={port}").strip() == (
        "service/np-again created")


@pytest.fixture
def small_range(start_server, kubectl_cache):
    """A private kubelite whose service CIDR is 10.96.0.0/29: six usable addresses, the first the `kubernetes`
    Service's, so five for Services of namespace `default`."""
    private = start_server("--service-cluster-ip-range", "10.96.0.0/29")
    return private, Kubectl(private, kubectl_cache, namespace="default")


def fill(kubectl):
    """Creates Services until the five free addresses are taken; returns their addresses."""
    assert kubectl.json("get", "svc", "kubernetes")["spec"]["clusterIP"] == "10.96.0.1"
    assert [s["metadata"]["name"] for s in kubectl.json("get", "svc", "-A")["items"]] == ["kubernetes"]
    taken = []
    for i in range(5):
        create_service(kubectl, f"svc-{i}")
        taken.append(kubectl.json("get", "svc", f"svc-{i}")["spec"]["clusterIP"])
    assert sorted(taken) == [f"10.96.0.{n}" for n in range(2, 7)], taken
    return taken


FULL = "Internal error occurred: failed to allocate a serviceIP: range is full"


def test_a_full_range_refuses_the_next_service_and_a_delete_frees_an_address(small_range):
    _, kubectl = small_range
    fill(kubectl)
    full = create_service(kubectl, "one-too-many", check=False)
    assert full.returncode != 0
    assert f'Error from server (InternalError): error when creating "STDIN": {FULL}' in full.stderr, full.stderr
    assert kubectl.run("get", "svc", "one-too-many").returncode != 0, "a refused Service must not be stored"

    # Services that need no address are still created
    create_service(kubectl, "headless", clusterIP="None")
    kubectl("create", "service", "externalname", "elsewhere", "--external-name", "db.example.com")

    # a delete gives the address back at once
    freed = kubectl.json("get", "svc", "svc-2")["spec"]["clusterIP"]
    assert kubectl_delete(kubectl, "svc", "svc-2").strip() == 'service "svc-2" deleted'
    create_service(kubectl, "replacement")
    assert kubectl.json("get", "svc", "replacement")["spec"]["clusterIP"] == freed
    assert create_service(kubectl, "still-full", check=False).returncode != 0


def test_a_full_range_answers_an_internal_error_status(small_range):
    private, kubectl = small_range
    fill(kubectl)
    body = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "one-too-many"},
            "spec": {"ports": [{"port": 80}]}}
    status = assert_status(private.raw("POST", "/api/v1/namespaces/default/services", body), 500, "InternalError",
                           FULL)
    # metav1.StatusCause's reason and field are omitempty: an internal error's one cause has only a message
    assert status["details"] == {"causes": [{"message": "failed to allocate a serviceIP: range is full"}]}, status
