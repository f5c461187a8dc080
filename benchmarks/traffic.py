"""Traffic to running pods (issue 14): one redis pod that really runs (root on Linux), reached by
redis-benchmark from the host three ways: at the pod's IP (the direct baseline), at its Service's
ClusterIP (the nftables service proxy: DNAT and masquerade) and through `kubectl port-forward`
(kubectl 1.32's SPDY session tunneled in a WebSocket, then a socket in the pod's network namespace).
Small GETs give requests/s and the p50 latency; GETs of 256 KiB values give the bulk throughput.
Figures `traffic-<path>-rps`, `traffic-<path>-p50-ms`, `traffic-<path>-mib-s` for path in direct,
clusterip, portforward."""
import csv, io, json, os, shutil, subprocess, time

from harness import BenchmarkError, Kubelite, free_port, get_json, http as call, wait_until
from figures import fmt

PATHS = ("direct", "clusterip", "portforward")
BULK_BYTES = 256 << 10


def available():
    if os.geteuid() != 0:
        return "needs root"
    missing = [p for p in ("unshare", "nsenter", "redis-server", "redis-benchmark", "nft", "kubectl") if shutil.which(p) is None]
    return f"needs {', '.join(missing)}" if missing else None


def sizes(context):
    """(small GETs per run, clients; bulk GETs per run, clients)."""
    return (5_000, 10, 50, 2) if context.settings.short else (100_000, 20, 2_000, 4)


def redis_benchmark(host, port, requests, clients, data=None):
    """One redis-benchmark run of GET; returns (requests/s, p50 ms)."""
    cmd = ["redis-benchmark", "-h", host, "-p", str(port), "-t", "get", "-n", str(requests), "-c", str(clients), "--csv"]
    if data:
        cmd += ["-d", str(data)]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    rows = [r for r in csv.DictReader(io.StringIO(out.stdout)) if r.get("test", "").startswith("GET")]
    if out.returncode != 0 or not rows:
        raise BenchmarkError(f"redis-benchmark against {host}:{port} failed: {out.stderr or out.stdout}")
    return float(rows[0]["rps"]), float(rows[0]["p50_latency_ms"])


def measure(context, targets):
    """Small GETs on every path, then (the key now holding a bulk value) large GETs on every path."""
    small, clients, bulk, bulk_clients = sizes(context)
    for path, host, port in targets:
        # redis-benchmark GETs one key: a 3-byte value for the small GETs, as it SETs by default.
        subprocess.run(["redis-benchmark", "-h", host, "-p", str(port), "-t", "set", "-n", "1", "-c", "1"],
                       capture_output=True, timeout=60, check=True)
        redis_benchmark(host, port, max(100, small // 10), clients)  # warm-up: connections, conntrack, caches
        rps, p50 = redis_benchmark(host, port, small, clients)
        context.figures.add(f"traffic-{path}-rps", rps)
        context.figures.add(f"traffic-{path}-p50-ms", p50)
    for path, host, port in targets:
        subprocess.run(["redis-benchmark", "-h", host, "-p", str(port), "-t", "set", "-n", "1", "-c", "1", "-d", str(BULK_BYTES)],
                       capture_output=True, timeout=60, check=True)
        bulk_rps, _ = redis_benchmark(host, port, bulk, bulk_clients, data=BULK_BYTES)
        context.figures.add(f"traffic-{path}-mib-s", bulk_rps * BULK_BYTES / (1 << 20))


def one_run(context):
    cidr = f"10.{96 + os.getpid() % 16}.{(int(time.time()) % 16) * 16}.0/20"
    server = Kubelite(context.kubelite, pod_runtime="process", extra=("--cluster-cidr", cidr))
    forward = None
    try:
        base = server.base
        pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "bench-redis", "labels": {"app": "bench-redis"}},
               "spec": {"terminationGracePeriodSeconds": 0, "containers": [{"name": "redis", "image": "redis:7",
                        "args": ["--save", "", "--appendonly", "no"]}]}}
        service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "bench-redis"},
                   "spec": {"selector": {"app": "bench-redis"}, "ports": [{"port": 6379}]}}
        call("POST", base + "/api/v1/namespaces/default/pods", pod)
        cluster_ip = json.loads(call("POST", base + "/api/v1/namespaces/default/services", service)[1])["spec"]["clusterIP"]

        def ready():
            p = get_json(base + "/api/v1/namespaces/default/pods/bench-redis")
            return any(c["type"] == "Ready" and c["status"] == "True" for c in p.get("status", {}).get("conditions", []))
        wait_until(ready, 60, "the redis pod Ready", interval=0.05)
        ip = get_json(base + "/api/v1/namespaces/default/pods/bench-redis")["status"]["podIP"]
        # The proxy programs the ClusterIP once the EndpointSlice names the ready pod.
        wait_until(lambda: subprocess.run(["redis-cli", "-h", cluster_ip, "ping"], capture_output=True, text=True,
                                          timeout=5).stdout.strip() == "PONG", 30, "the ClusterIP answering", interval=0.05)
        kubeconfig = os.path.join(context.workdir.path, f"traffic-kubeconfig-{server.port}")
        with open(kubeconfig, "w") as f:
            f.write(f"apiVersion: v1\nkind: Config\nclusters:\n- name: k\n  cluster:\n    server: {base}\ncontexts:\n"
                    f"- name: k\n  context:\n    cluster: k\n    user: k\nusers:\n- name: k\n  user: {{}}\ncurrent-context: k\n")
        local = free_port()
        forward = subprocess.Popen(["kubectl", "--kubeconfig", kubeconfig, "port-forward", "pod/bench-redis", f"{local}:6379"],
                                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        forward.stdout.readline()  # "Forwarding from 127.0.0.1:..."
        measure(context, [("direct", ip, 6379), ("clusterip", cluster_ip, 6379), ("portforward", "127.0.0.1", local)])
    finally:
        if forward:
            forward.terminate()
            forward.wait(timeout=10)
        server.stop()


def run(context):
    reason = available()
    if reason:
        raise BenchmarkError(f"traffic: {reason}")
    context.repeat(lambda: one_run(context))
    f = context.figures
    for path in PATHS:
        print(f"  {path}: {f.get(f'traffic-{path}-rps'):,.0f} GET/s, p50 {f.get(f'traffic-{path}-p50-ms'):.3f} ms, "
              f"{f.get(f'traffic-{path}-mib-s'):,.0f} MiB/s bulk", flush=True)


def section(context):
    f = context.figures
    small, clients, bulk, bulk_clients = sizes(context)


    def share(path, key):
        a, b = f.get(f"traffic-{path}-{key}"), f.get(f"traffic-direct-{key}")
        return "—" if a is None or not b else f"{a / b:.0%}"
    lines = ["## Traffic to running pods (issue 14)", "",
             f"One redis pod that really runs, driven by redis-benchmark from the host: {small:,} GETs by {clients} clients "
             f"(requests/s, p50), then {bulk:,} GETs of {BULK_BYTES >> 10} KiB values by {bulk_clients} clients (bulk "
             "throughput). Direct: the pod's IP on the bridge. ClusterIP: the Service's address, DNATed and masqueraded by "
             "the nftables service proxy. port-forward: `kubectl port-forward` (SPDY in a WebSocket to Kubelite, then a "
             "socket in the pod's network namespace).", "",
             "| path | GET/s | vs direct | p50 | bulk | vs direct |", "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for path in PATHS:
        lines.append(f"| {path} | {fmt(f.get(f'traffic-{path}-rps'), '{:,.0f}')} | {share(path, 'rps')} | "
                     f"{fmt(f.get(f'traffic-{path}-p50-ms'), '{:.3f} ms')} | {fmt(f.get(f'traffic-{path}-mib-s'), '{:,.0f} MiB/s')} | "
                     f"{share(path, 'mib-s')} |")
    return lines + [""]
