"""Controller failover on etcd (issue 18): three fresh replicas on the benchmark's etcd cluster (a prefix of
their own), a one-pod StatefulSet created through a replica that does not hold the
`kube-controller-manager` Lease (the holder's node cordoned, as a control-plane node is tainted: a pod
left on a dead node waits minutes for eviction, which is not what is measured). Then the holder is
killed with SIGKILL (no Lease handed back, as a crash) and the StatefulSet scaled to three through
another replica at once; timed from the kill until another replica holds the Lease and until the scale
is complete (readyReplicas = 3). Upstream's timings in the full run (15 s lease, 10 s renew deadline,
2 s retry period); short mode passes short ones. Figures `etcd-failover-lease-s`, `etcd-failover-scale-s`."""
import re, time

from figures import fmt
from harness import BenchmarkError, get_json, http
from statefulset import statefulset

SHORT_TIMINGS = (4.0, 3.0, 0.25)   # lease duration, renew deadline, retry period (s), as the e2e tests
UPSTREAM_TIMINGS = (15.0, 10.0, 2.0)
LEASE = "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-controller-manager"
MERGE = "application/merge-patch+json"


def timings(settings):
    return SHORT_TIMINGS if settings.short else UPSTREAM_TIMINGS


def lease_duration(settings):
    return timings(settings)[0]


def flags(settings):
    if not settings.short:
        return []  # the defaults are upstream's
    lease, renew, retry = timings(settings)
    return ["--leader-elect-lease-duration", f"{lease:g}s", "--leader-elect-renew-deadline", f"{renew:g}s",
            "--leader-elect-retry-period", f"{int(retry * 1000)}ms"]


def identity(log):
    """The replica's holderIdentity (`hostname_uuid`), as its start-up log line announces it."""
    with open(log) as f:
        found = re.search(r"identity=(\S+)", f.read())
    if not found:
        raise BenchmarkError(f"no leader election identity in {log}")
    return found.group(1)


def holder(server):
    try:
        return get_json(server.base + LEASE)["spec"].get("holderIdentity")
    except OSError:  # no Lease yet (404)
        return None


def poll(check, timeout, what, interval=0.02):
    """`check()`'s first truthy answer, polled every `interval` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(interval)
    raise BenchmarkError(f"timed out after {timeout:g} s waiting for {what}")


def ready_replicas(server):
    return get_json(server.base + "/apis/apps/v1/namespaces/default/statefulsets/bench").get("status", {}).get("readyReplicas", 0)


def measure(context, cluster, replica):
    """One failover on three new replicas; `replica(context, cluster, i, prefix, extra, **options)` starts one."""
    prefix = f"/failover-{context.workdir.count}"
    servers, logs = [], []
    try:
        for i in range(3):
            logs.append(context.workdir.file(".log", ""))
            servers.append(replica(context, cluster, i, prefix, flags(context.settings), log=logs[-1], log_level="info"))
        identities = {identity(log): server for log, server in zip(logs, servers)}
        leader = identities[poll(lambda: (lambda held: held in identities and held)(holder(servers[0])), 60,
                                 "a controller leader")]
        via = next(s for s in servers if s is not leader)
        node = f"{prefix.strip('/')}-{servers.index(leader)}"
        http("PATCH", f"{via.base}/api/v1/nodes/{node}", {"spec": {"unschedulable": True}}, MERGE)
        poll(lambda: get_json(f"{via.base}/api/v1/nodes/{node}")["spec"].get("unschedulable"), 10, "the cordon")
        http("POST", via.base + "/apis/apps/v1/namespaces/default/statefulsets", statefulset(1, "Parallel"))
        poll(lambda: ready_replicas(via) == 1, 60, "the StatefulSet's first pod")
        before = holder(via)
        leader.proc.kill()
        killed = time.monotonic()
        leader.proc.wait(10)
        http("PATCH", via.base + "/apis/apps/v1/namespaces/default/statefulsets/bench", {"spec": {"replicas": 3}}, MERGE)
        deadline = lease_duration(context.settings) + 30
        poll(lambda: holder(via) not in (None, before), deadline, "another replica to hold the Lease")
        context.figures.add("etcd-failover-lease-s", time.monotonic() - killed)
        poll(lambda: ready_replicas(via) == 3, deadline, "the scale to complete")
        context.figures.add("etcd-failover-scale-s", time.monotonic() - killed)
    finally:
        for server in servers:
            server.stop()


def section(context):
    f = context.figures
    lease, renew, retry = timings(context.settings)
    which = "short timings for CI (flags `--leader-elect-lease-duration 4s --leader-elect-renew-deadline 3s " \
            "--leader-elect-retry-period 250ms`)" if context.settings.short else "upstream's default timings"
    return ["Controller failover: three fresh replicas; the one holding the `kube-controller-manager` Lease is killed "
            "with SIGKILL (it cannot hand the Lease back) and a one-pod StatefulSet is scaled to three through another "
            f"at once. Lease {lease:g} s, renew deadline {renew:g} s, retry period {retry:g} s: {which}. "
            "Target: the scale completes within lease duration + 2 s of the kill.", "",
            "| lease duration | another replica holds the Lease | scale to 3 complete | target |",
            "| ---: | ---: | ---: | ---: |",
            f"| {lease:g} s | {fmt(f.get('etcd-failover-lease-s'), '{:.2f} s')} | {fmt(f.get('etcd-failover-scale-s'), '{:.2f} s')} | "
            f"≤ {lease + 2:g} s |", ""]

