"""Several Kubelite replicas on a real three-member etcd started here: one API whichever replica is asked,
leader-elected controllers and scheduler (upstream's Leases in kube-system), a controller leader killed
mid-scale, an etcd member killed during a write storm, and the three-member script of the README."""

import os
import re
import signal
import subprocess
import threading
import time

import pytest
import yaml

from etcd_cluster import EtcdCluster, free_port, kubectl_watch, reports, require_etcd
from support import MANIFESTS, REPO_ROOT, EventLog, Kubectl, Server, kubelite_binary, next_cluster_cidr, wait_for

# Short timings, so a takeover takes seconds; checked against below. The retry period is short too:
# a candidate sees the Lease change up to 2.2 retry periods late (client-go's jitter), and that delay
# adds to the lease duration before it may take over.
LEASE_DURATION, RENEW_DEADLINE, RETRY_PERIOD = 4.0, 3.0, 0.25
LEASE_FLAGS = ["--leader-elect-lease-duration", f"{LEASE_DURATION:g}s", "--leader-elect-renew-deadline", f"{RENEW_DEADLINE:g}s",
               "--leader-elect-retry-period", f"{int(RETRY_PERIOD * 1000)}ms"]
LEASES = ("kube-controller-manager", "kube-scheduler")


@pytest.fixture(scope="module")
def cluster():
    require_etcd()
    etcd = EtcdCluster(3)
    try:
        etcd.start()
        yield etcd
    finally:
        etcd.remove()


@pytest.fixture
def replicas(cluster, tmp_path_factory, request):
    """start(count, args=()) -> `count` replicas on the cluster (every member's URL), sharing one prefix of
    their own and one pod network, each a node (`replica-<i>`) serving plain HTTP; all stopped at teardown."""
    started = []
    prefix = f"/e2e-{request.node.name[:40]}"
    cidr = next_cluster_cidr()

    def start(count, args=()):
        for _ in range(count):
            i = len(started)
            server = Server(tmp_path_factory.mktemp(f"replica-{i}"),
                            ["--port", "0", "--etcd-servers", cluster.urls, "--etcd-prefix", prefix,
                             "--data-dir", tmp_path_factory.mktemp(f"replica-{i}-data"), "--cluster-cidr", cidr,
                             "--node-name", f"replica-{i}", "--node-index", i, "--pod-runtime", "simulated",
                             *LEASE_FLAGS, *args]).start()
            server.node, server.prefix = f"replica-{i}", prefix
            started.append(server)
        return started[-count:]

    yield start
    for server in started:
        server.stop()


def identity(server):
    """The replica's holderIdentity, as its log announces it (`hostname_uuid`)."""
    return re.search(r"identity=(\S+)", server.log_path.read_text()).group(1)


def lease(server, name):
    answer = server.raw("GET", f"/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/{name}")
    return answer.json() if answer.status_code == 200 else None


def holder(servers, name, ask=None):
    """The replica holding Lease `name`, asked through `ask` (default the first), or None."""
    current = lease(ask or servers[0], name)
    identities = {identity(s): s for s in servers}
    return current and identities.get(current["spec"].get("holderIdentity"))


def statefulset(server, name):
    answer = server.raw("GET", f"/apis/apps/v1/namespaces/default/statefulsets/{name}")
    return answer.json() if answer.status_code == 200 else None


def configmap(name):
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"v": name}}


def test_a_statefulset_created_through_one_replica_is_watched_from_another(replicas, tmp_path):
    a, b, c = replicas(3)
    watcher = kubectl_watch(b, tmp_path, "get", "pods", "-w", "--output-watch-events")
    try:
        Kubectl(a, tmp_path / "cache-a", namespace="default")("apply", "-f", str(MANIFESTS / "redis-sts.yml"))
        wait_for(lambda: reports(watcher, "ADDED", "redis-sts-0") and reports(watcher, "ADDED", "redis-sts-1"), 60,
                 "B's kubectl watch to report both pods of the StatefulSet created through A")
        wait_for(lambda: (statefulset(c, "redis-sts") or {}).get("status", {}).get("readyReplicas") == 2, 60,
                 "C to see the StatefulSet ready")
        wait_for(lambda: reports(watcher, "MODIFIED", "redis-sts-1"), 20, "B's watch to report the pods' progress")
    finally:
        watcher.stop()
    nodes = Kubectl(c, tmp_path / "cache-c").json("get", "nodes")["items"]
    assert sorted(n["metadata"]["name"] for n in nodes) == ["replica-0", "replica-1", "replica-2"], "each replica is a node"
    assert {n["spec"]["podCIDR"] for n in nodes}.__len__() == 3, "each node its own pod range"
    pods = b.raw("GET", "/api/v1/namespaces/default/pods").json()["items"]
    assert {p["spec"]["nodeName"] for p in pods} <= {"replica-0", "replica-1", "replica-2"}
    assert all(p["status"]["phase"] == "Running" for p in pods)


def test_exactly_one_replica_holds_each_lease_and_only_it_runs_the_component(replicas, tmp_path):
    servers = replicas(3)
    listed = Kubectl(servers[2], tmp_path / "cache", namespace="kube-system").json("get", "lease")["items"]
    held = {item["metadata"]["name"]: item["spec"] for item in listed if item["metadata"]["name"] in LEASES}
    assert set(held) == set(LEASES)
    identities = [identity(s) for s in servers]
    assert len(set(identities)) == 3
    for name, spec in held.items():
        assert identities.count(spec["holderIdentity"]) == 1, f"{name} is held by one of the replicas"
        assert spec["leaseDurationSeconds"] == int(LEASE_DURATION)
        leader = servers[identities.index(spec["holderIdentity"])]
        started = [s for s in servers if f"leading: starting {name}" in s.log_path.read_text()]
        assert started == [leader], f"only the holder of {name} started it"
        # Held means renewed: the renewTime moves while the acquireTime stays.
        wait_for(lambda: lease(servers[1], name)["spec"]["renewTime"] != spec["renewTime"], 10, f"{name} to be renewed")
        assert lease(servers[1], name)["spec"]["acquireTime"] == spec["acquireTime"]


def test_killing_the_controller_leader_mid_scale_hands_over_within_the_lease(replicas, tmp_path):
    servers = replicas(3, ["--pod-start-delay", "0.25"])
    leader = wait_for(lambda: holder(servers, "kube-controller-manager"), 20, "a controller leader")
    via = next(s for s in servers if s is not leader)
    kubectl = Kubectl(via, tmp_path / "cache", namespace="default")
    # The leader's node takes no pods, as a control-plane node is tainted: a pod stranded on a dead node
    # waits for the node's eviction (minutes), which is not what this test is about.
    kubectl("cordon", leader.node)
    manifest = yaml.safe_load((MANIFESTS / "redis-sts.yml").read_text())
    manifest["spec"]["replicas"] = 1
    kubectl("apply", "-f", "-", input=yaml.safe_dump(manifest))
    wait_for(lambda: (statefulset(via, "redis-sts") or {}).get("status", {}).get("readyReplicas") == 1, 60,
             "the StatefulSet's first pod")
    transitions = lease(via, "kube-controller-manager")["spec"].get("leaseTransitions", 0)
    with EventLog(via, "/api/v1/namespaces/default/pods") as pods:
        kubectl("scale", "statefulset", "redis-sts", "--replicas=4")
        created = lambda events: {e["object"]["metadata"]["name"] for e in events if e["type"] == "ADDED"}
        pods.wait_until(lambda events: "redis-sts-1" in created(events), 20, "the scale to begin")
        leader.process.send_signal(signal.SIGKILL)
        killed = time.monotonic()
        leader.process.wait(timeout=10)
        assert "redis-sts-3" not in created(pods.snapshot()), "killed mid-scale"
        wait_for(lambda: (statefulset(via, "redis-sts") or {}).get("status", {}).get("readyReplicas") == 4, 60,
                 "the scale to complete through another replica")
        took = time.monotonic() - killed
    print(f"controller failover: the scale completed {took:.2f}s after the leader was killed")
    assert took <= LEASE_DURATION + 2, f"the scale completed {took:.1f}s after the leader died (lease {LEASE_DURATION:g}s)"
    survivors = [s for s in servers if s is not leader]
    assert holder(survivors, "kube-controller-manager", ask=via) in survivors
    assert lease(via, "kube-controller-manager")["spec"]["leaseTransitions"] == transitions + 1


def test_an_etcd_member_killed_during_a_write_storm_loses_no_acknowledged_create(replicas, cluster):
    servers = replicas(2)
    path = "/api/v1/namespaces/default/configmaps"
    acknowledged, failures, lock, stop = set(), [], threading.Lock(), threading.Event()

    def create(server, name):
        """Creates `name`, retrying a failure; an AlreadyExists after a failure means the failed attempt was
        stored after all. True once the server acknowledged the object."""
        for _ in range(50):
            try:
                answer = server.raw("POST", path, configmap(name), timeout=30)
            except Exception as error:  # a connection reset is retried as any failure
                failures.append(repr(error))
                continue
            if answer.status_code == 201 or (answer.status_code == 409 and answer.json().get("reason") == "AlreadyExists"):
                return True
            failures.append(f"{answer.status_code} {answer.text[:200]}")
        return False

    def writer(w):
        for n in range(100_000):
            if stop.is_set():
                return
            name = f"storm-{w}-{n}"
            if create(servers[w % 2], name):
                with lock:
                    acknowledged.add(name)

    threads = [threading.Thread(target=writer, args=(w,), daemon=True) for w in range(4)]
    for thread in threads:
        thread.start()
    victim = None
    try:
        wait_for(lambda: len(acknowledged) >= 100, 60, "the storm to get going")
        victim = cluster.leader()
        victim.kill()
        after_kill = len(acknowledged)
        wait_for(lambda: len(acknowledged) >= after_kill + 200, 60, "creates to go on with two members")
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        if victim is not None:
            victim.start()  # the next tests have three members again
    assert not any(t.is_alive() for t in threads)
    print(f"write storm: {len(acknowledged)} creates acknowledged, {after_kill} before the member died; "
          f"{len(failures)} failed attempts retried {failures[:3]}")
    stored = {k.rsplit("/", 1)[1] for k in cluster.running()[0].keys(f"{servers[0].prefix}/configmaps/default/")}
    assert acknowledged <= stored, f"acknowledged creates missing from etcd: {sorted(acknowledged - stored)[:20]}"
    for server in servers:
        def listed():
            return {i["metadata"]["name"] for i in server.raw("GET", path).json()["items"]}
        wait_for(lambda: acknowledged <= listed(), 20, "every acknowledged create in each replica's list")


def test_every_etcd_member_down_fails_writes_stops_the_leader_then_everything_converges(replicas, cluster, tmp_path):
    servers = replicas(2)
    leader = wait_for(lambda: holder(servers, "kube-controller-manager"), 20, "a controller leader")
    path = "/api/v1/namespaces/default/configmaps"
    for member in cluster.members:
        member.stop()
    try:
        for server in servers:
            wait_for(lambda: server.raw("GET", "/readyz").status_code == 500, 30, "/readyz to fail its etcd check")
        failed = servers[0].raw("POST", path, configmap("during"), timeout=120)
        assert failed.status_code == 504, failed.text
        assert failed.json()["kind"] == "Status" and failed.json()["reason"] == "Timeout"
        # It cannot renew: past the renew deadline the leader stops its controllers (and keeps serving).
        wait_for(lambda: "no longer leading: stopping kube-controller-manager" in leader.log_path.read_text(),
                 RENEW_DEADLINE + 10, "the leader to stop leading")
        assert leader.raw("GET", "/version").status_code == 200
    finally:
        cluster.start()
    for server in servers:
        wait_for(lambda: server.raw("GET", "/readyz").status_code == 200, 60, "/readyz to pass again")
    wait_for(lambda: servers[1].raw("POST", path, configmap("after")).status_code == 201, 30, "writes to work again")
    # The controllers run again in one replica: a StatefulSet created now gets its pods.
    Kubectl(servers[1], tmp_path / "cache", namespace="default")("apply", "-f", str(MANIFESTS / "redis-sts.yml"))
    wait_for(lambda: (statefulset(servers[0], "redis-sts") or {}).get("status", {}).get("readyReplicas") == 2, 60,
             "the StatefulSet created after the outage to get its pods")
    for name in LEASES:
        assert holder(servers, name) in servers, f"{name} held again by one replica"


def test_the_etcd_cluster_script_starts_three_members_and_three_replicas(tmp_path):
    require_etcd()
    state = tmp_path / "cluster"
    ports = lambda: " ".join(str(free_port()) for _ in range(3))
    env = dict(os.environ, KUBELITE=kubelite_binary(), KUBELITE_ARGS=f"--pod-runtime simulated --cluster-cidr {next_cluster_cidr()}",
               ETCD_CLIENT_PORTS=ports(), ETCD_PEER_PORTS=ports(), KUBELITE_PORTS=ports(), DNS_PORTS=ports())
    log = open(tmp_path / "script.log", "wb")
    script = subprocess.Popen([str(REPO_ROOT / "scripts" / "etcd-cluster"), str(state)], env=env, stdin=subprocess.DEVNULL,
                              stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        def ready():
            if script.poll() is not None:
                raise AssertionError(f"the script exited with {script.returncode}: {(tmp_path / 'script.log').read_text()}")
            return (state / "kubeconfig").exists()
        wait_for(ready, 120, "the script to start the cluster")
        kubectl = ["kubectl", f"--kubeconfig={state / 'kubeconfig'}", f"--cache-dir={tmp_path / 'cache'}"]
        for port in env["KUBELITE_PORTS"].split():
            # One CA and one admin certificate for every replica: they share the credentials.
            out = subprocess.run([*kubectl, f"--server=https://127.0.0.1:{port}", "get", "nodes", "-o", "name"],
                                 capture_output=True, text=True, timeout=60)
            assert out.returncode == 0, out.stderr
            assert sorted(out.stdout.split()) == ["node/kubelite-1", "node/kubelite-2", "node/kubelite-3"]
        wait_for(lambda: all(subprocess.run([*kubectl, "-n", "kube-system", "get", "lease", name, "-o",
                                             "jsonpath={.spec.holderIdentity}"], capture_output=True, text=True,
                                            timeout=60).stdout for name in LEASES), 30, "both Leases held")
    finally:
        script.send_signal(signal.SIGTERM)
        try:
            script.wait(timeout=60)
        finally:
            log.close()
            try:
                os.killpg(script.pid, signal.SIGKILL)  # anything left behind fails the check below, and is gone
                leftover = True
            except ProcessLookupError:
                leftover = False
    assert not leftover, "the script's etcd members and replicas all stopped with it"


def test_leader_election_is_on_with_etcd_off_without_and_the_flag_wins(replicas, start_server, tmp_path):
    """Once a StatefulSet is ready the controllers ran; had they been elected, the Lease came first."""
    cases = [(start_server("--port", "0", "--pod-runtime", "simulated"), False),
             (start_server("--port", "0", "--pod-runtime", "simulated", "--leader-elect"), True),
             (replicas(1, ["--leader-elect=false"])[0], False)]
    manifest = yaml.safe_load((MANIFESTS / "redis-sts.yml").read_text())
    manifest["spec"]["replicas"] = 1
    for i, (server, elected) in enumerate(cases):
        Kubectl(server, tmp_path / f"cache-{i}", namespace="default")("apply", "-f", "-", input=yaml.safe_dump(manifest))
        wait_for(lambda: (statefulset(server, "redis-sts") or {}).get("status", {}).get("readyReplicas") == 1, 60,
                 "the StatefulSet's pod")
        for name in LEASES:
            assert (lease(server, name) is not None) == elected, (server.args, name)


@pytest.mark.parametrize("flags, message", [
    (["--leader-elect-lease-duration", "10s"], "leaseDuration must be greater than renewDeadline"),
    (["--leader-elect-retry-period", "9s"], "renewDeadline must be greater than retryPeriod*JitterFactor"),
    (["--leader-elect-renew-deadline", "soon"], "--leader-elect-renew-deadline must be a positive Go duration"),
])
def test_bad_leader_election_timings_stop_startup(flags, message):
    out = subprocess.run([kubelite_binary(), "serve", "--port", "0", "--in-memory", "--dns-port=-1", *flags],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode != 0
    assert message in out.stderr, out.stderr
