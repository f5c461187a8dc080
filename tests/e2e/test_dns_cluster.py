"""The cluster DNS server with the real `dig` (Debian's dnsutils), answering as CoreDNS's kubernetes plugin does:
pod names behind their headless Service, Service names (ClusterIP, or every ready pod IP when headless), SRV for
named ports, PTR for pod and Service IPs, NXDOMAIN otherwise, and answers that follow pods as they come and go."""

import ipaddress
import json

import pytest

from support import (Dig, Kubectl, cluster_dns, get_or_none, kubectl_delete, pod_is_ready, wait_for,
                     wait_for_statefulset)

PODS = ["redis-sts-0", "redis-sts-1"]


def fqdn(*labels):
    return ".".join(labels) + ".svc.cluster.local"


def apply_json(kubectl, obj):
    return kubectl("apply", "-f", "-", input=json.dumps(obj)).strip()


def service(name, *, headless=False, port_name=None, selector=None):
    port = {"port": 6379, "targetPort": 6379, "protocol": "TCP"}
    if port_name:
        port["name"] = port_name
    spec = {"selector": selector or {"app": "redis-sts"}, "ports": [port]}
    if headless:
        spec["clusterIP"] = "None"
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name}, "spec": spec}


@pytest.fixture
def redis(kubectl, manifests):
    """redis-sts.yml at 2/2 behind redis-headless-svc.yml; returns {pod name: pod}."""
    assert kubectl("apply", "-f", manifests / "redis-sts.yml").strip() == "statefulset.apps/redis-sts created"
    assert kubectl("apply", "-f", manifests / "redis-headless-svc.yml").strip() == "service/redis-svc created"
    return wait_for_statefulset(kubectl, "redis-sts", 2)


def ip_of(pod):
    return pod["status"]["podIP"]


def answers(dig, name, expected, rtype="A", timeout=30, *options):
    """Polls `dig +short` until it answers exactly `expected` (a sorted list), with a deadline."""
    expected = sorted(expected)
    last = []

    def matches():
        last[:] = [dig.short(name, rtype, *options)]
        return last[0] == expected

    try:
        wait_for(matches, timeout, f"dig {name} {rtype} {' '.join(options)} to answer {expected}", interval=0.2)
    except AssertionError as failure:
        raise AssertionError(f"{failure}; last answer: {last[0] if last else None}") from None


def test_pod_name_answers_its_ip_over_udp_and_tcp(dig, redis, ns):
    for name in PODS:
        answers(dig, fqdn(name, "redis-svc", ns), [ip_of(redis[name])])
        assert dig.short(fqdn(name, "redis-svc", ns), "A", "+tcp") == [ip_of(redis[name])]
    assert dig.status(fqdn("redis-sts-0", "redis-svc", ns)) == "NOERROR"


def test_pod_name_follows_the_recreated_pod(dig, kubectl, redis, ns):
    name = fqdn("redis-sts-0", "redis-svc", ns)
    old_ip = ip_of(redis["redis-sts-0"])
    answers(dig, name, [old_ip])

    assert kubectl_delete(kubectl, "pod", "redis-sts-0").strip() == 'pod "redis-sts-0" deleted'

    def recreated():
        pod = get_or_none(kubectl, "pod", "redis-sts-0")
        return pod and pod["metadata"]["uid"] != redis["redis-sts-0"]["metadata"]["uid"] and pod_is_ready(pod) and pod

    new_ip = ip_of(wait_for(recreated, 30, "redis-sts-0 to be recreated Ready", interval=0.2))
    assert new_ip != old_ip, f"the recreated pod kept its address {old_ip}"
    answers(dig, name, [new_ip])
    answers(dig, fqdn("redis-svc", ns), [new_ip, ip_of(redis["redis-sts-1"])])


def test_headless_service_name_answers_both_pod_ips(dig, redis, ns):
    answers(dig, fqdn("redis-svc", ns), [ip_of(redis[name]) for name in PODS])
    assert dig.short(fqdn("redis-svc", ns), "A", "+tcp") == sorted(ip_of(redis[name]) for name in PODS)


def test_headless_service_leaves_out_not_ready_pods(dig, kubectl, redis, ns):
    ready_ip, unready_ip = ip_of(redis["redis-sts-0"]), ip_of(redis["redis-sts-1"])
    answers(dig, fqdn("redis-svc", ns), [ready_ip, unready_ip])

    kubectl("annotate", "pod", "redis-sts-1", "kubelite.dev/ready=false")
    answers(dig, fqdn("redis-svc", ns), [ready_ip])
    wait_for(lambda: dig.status(fqdn("redis-sts-1", "redis-svc", ns)) == "NXDOMAIN", 30,
             "the not-ready pod's name to answer NXDOMAIN", interval=0.2)

    kubectl("annotate", "pod", "redis-sts-1", "kubelite.dev/ready-")
    answers(dig, fqdn("redis-svc", ns), [ready_ip, unready_ip])
    answers(dig, fqdn("redis-sts-1", "redis-svc", ns), [unready_ip])


def test_cluster_ip_service_answers_its_cluster_ip(dig, kubectl, manifests, ns):
    assert kubectl("apply", "-f", manifests / "redis-sts.yml").strip() == "statefulset.apps/redis-sts created"
    assert kubectl("apply", "-f", manifests / "redis-svc.yml").strip() == "service/redis-svc created"
    pods = wait_for_statefulset(kubectl, "redis-sts", 2)
    cluster_ip = kubectl.json("get", "svc", "redis-svc")["spec"]["clusterIP"]
    ipaddress.IPv4Address(cluster_ip)
    answers(dig, fqdn("redis-svc", ns), [cluster_ip])
    # a pod's own name under its (non-headless) Service still answers the pod, as CoreDNS's endpoint query does
    answers(dig, fqdn("redis-sts-0", "redis-svc", ns), [ip_of(pods["redis-sts-0"])])


def test_kubernetes_service_answers_the_first_service_ip(dig, server, kubectl_cache):
    default = Kubectl(server, kubectl_cache, namespace="default")
    cluster_ip = default.json("get", "svc", "kubernetes")["spec"]["clusterIP"]
    assert cluster_ip == "10.96.0.1"
    answers(dig, fqdn("kubernetes", "default"), [cluster_ip])
    answers(dig, "_https._tcp." + fqdn("kubernetes", "default"), [f"0 100 443 {fqdn('kubernetes', 'default')}."],
            rtype="SRV")


def test_srv_records_for_named_ports(dig, kubectl, redis, ns):
    assert apply_json(kubectl, service("redis-svc", headless=True, port_name="redis")) == "service/redis-svc configured"
    assert apply_json(kubectl, service("redis-vip", port_name="redis")) == "service/redis-vip created"

    # headless: one SRV per ready endpoint, named by its hostname, weights sharing 100 (CoreDNS)
    answers(dig, "_redis._tcp." + fqdn("redis-svc", ns),
            [f"0 50 6379 {fqdn(name, 'redis-svc', ns)}." for name in PODS], rtype="SRV")
    # ClusterIP: one SRV naming the Service
    answers(dig, "_redis._tcp." + fqdn("redis-vip", ns), [f"0 100 6379 {fqdn('redis-vip', ns)}."], rtype="SRV")
    # the targets resolve
    for name in PODS:
        assert dig.short(fqdn(name, "redis-svc", ns)) == [ip_of(redis[name])]
    # a port name or protocol the Service does not have
    assert dig.status("_other._tcp." + fqdn("redis-vip", ns), "SRV") == "NXDOMAIN"
    assert dig.status("_redis._udp." + fqdn("redis-vip", ns), "SRV") == "NXDOMAIN"


def test_missing_names_answer_nxdomain(dig, redis, ns):
    answers(dig, fqdn("redis-svc", ns), [ip_of(redis[name]) for name in PODS])
    for missing in [fqdn("no-such-svc", ns), fqdn("redis-svc", "no-such-namespace"),
                    fqdn("redis-sts-7", "redis-svc", ns), fqdn("redis-svc", ns + "-other")]:
        assert dig.status(missing) == "NXDOMAIN", missing
        assert dig.status(missing, "A", "+tcp") == "NXDOMAIN", missing
        assert dig.short(missing) == [], missing


def test_ptr_for_pod_and_service_ips(dig, kubectl, redis, ns):
    for name in PODS:
        answers(dig, ip_of(redis[name]), [f"{fqdn(name, 'redis-svc', ns)}."], rtype="PTR")
    assert apply_json(kubectl, service("redis-vip")) == "service/redis-vip created"
    cluster_ip = kubectl.json("get", "svc", "redis-vip")["spec"]["clusterIP"]
    answers(dig, cluster_ip, [f"{fqdn('redis-vip', ns)}."], rtype="PTR")


def test_external_name_service_answers_a_cname(dig, kubectl, ns):
    out = kubectl("create", "service", "externalname", "upstream-db", "--external-name", "db.example.com")
    assert out.strip() == "service/upstream-db created"
    answers(dig, fqdn("upstream-db", ns), ["db.example.com."], rtype="CNAME")


def test_cluster_domain_is_configurable(start_server, kubectl_cache):
    private = start_server("--cluster-domain", "kubelite.test")
    dns = cluster_dns(private)
    assert dns.domain == "kubelite.test" and dns.address == "127.0.0.1", dns
    private_dig = Dig(dns)
    default = Kubectl(private, kubectl_cache, namespace="default")
    cluster_ip = default.json("get", "svc", "kubernetes")["spec"]["clusterIP"]
    answers(private_dig, "kubernetes.default.svc.kubelite.test", [cluster_ip])
    assert private_dig.short("kubernetes.default.svc.cluster.local") == []
