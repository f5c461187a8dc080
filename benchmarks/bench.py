#!/usr/bin/env python3
"""Drives the benchmarks: starts servers on free loopback ports, loads them with wrk, and writes
BENCHMARKS.md with medians over repeated runs and ratios to the libmicrohttpd baseline measured in
the same run. Standard library only, so it runs before any virtual env exists."""
import argparse, json, os, platform, re, socket, statistics, subprocess, sys, tempfile, time, urllib.request

TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(check, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.01)
    raise SystemExit(f"timed out waiting for {what}")


def http(method, url, body=None, content_type="application/json"):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": content_type})
    with urllib.request.urlopen(req) as r:
        return r.status, r.read()


def wrk(url, seconds, connections=50, headers=(), script=None):
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for h in headers:
        cmd += ["-H", h]
    if script:
        cmd += ["-s", script]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise SystemExit(f"wrk saw {errors.group(1)} error responses from {url}:\n{out}")
    return rps, float(p99.group(1)) * scale[p99.group(2)] if p99 else float("nan")


def lua(body):
    f = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    f.write(body)
    f.close()
    return f.name


class Server:
    def __init__(self, argv, ready_url):
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.started = time.monotonic()
        wait_until(lambda: urllib.request.urlopen(ready_url).status == 200, 30, ready_url)
        self.ready_after = time.monotonic() - self.started

    def rss_kib(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def pod(name):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": {"app": "bench"}},
            "spec": {"containers": [{"name": "c", "image": "redis:7", "ports": [{"containerPort": 6379}]}]}}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kubelite", required=True)
    ap.add_argument("--baseline", required=True)
    ap.add_argument("--short", action="store_true", help="CI mode: one 1-second run per benchmark, no BENCHMARKS.md")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--duration", type=int, default=5)
    ap.add_argument("--output", default="BENCHMARKS.md")
    args = ap.parse_args()
    runs, seconds = (1, 1) if args.short else (args.runs, args.duration)
    results = {}

    def measure(name, fn):
        samples = [fn() for _ in range(runs)]
        rps = statistics.median(s[0] for s in samples)
        p99 = statistics.median(s[1] for s in samples)
        results[name] = (rps, p99)
        print(f"{name:<34} {rps:>10.0f} req/s   p99 {p99:.2f} ms", flush=True)

    bport = free_port()
    baseline = Server([args.baseline, str(bport)], f"http://127.0.0.1:{bport}/")
    try:
        measure("baseline: libmicrohttpd fixed JSON", lambda: wrk(f"http://127.0.0.1:{bport}/", seconds))
    finally:
        baseline.stop()

    kport = free_port()
    base = f"http://127.0.0.1:{kport}"
    kube = Server([args.kubelite, "serve", "--port", str(kport), "--log-level", "error", "--dns-port", "0", "--in-memory"], base + "/readyz")
    try:
        startup_ms = kube.ready_after * 1000
        for ns, count in (("bench", 1), ("bench100", 100), ("bench1000", 1000)):
            http("POST", base + "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
            for i in range(count):
                http("POST", f"{base}/api/v1/namespaces/{ns}/pods", pod(f"p-{i}"))
        measure("GET pod by name (JSON)", lambda: wrk(f"{base}/api/v1/namespaces/bench/pods/p-0", seconds))
        measure("GET pod by name (Table)", lambda: wrk(f"{base}/api/v1/namespaces/bench/pods/p-0", seconds, headers=[f"Accept: {TABLE}"]))
        measure("LIST 100 pods (JSON)", lambda: wrk(f"{base}/api/v1/namespaces/bench100/pods", seconds))
        measure("LIST 100 pods (Table)", lambda: wrk(f"{base}/api/v1/namespaces/bench100/pods", seconds, headers=[f"Accept: {TABLE}"]))
        measure("LIST 1000 pods (JSON)", lambda: wrk(f"{base}/api/v1/namespaces/bench1000/pods", seconds))
        measure("LIST 1000 pods (Table)", lambda: wrk(f"{base}/api/v1/namespaces/bench1000/pods", seconds, headers=[f"Accept: {TABLE}"]))
        create = lua('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
                     'wrk.body = \'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"generateName":"cm-"},"data":{"k":"v"}}\'\n')
        measure("CREATE configmap (in memory)", lambda: wrk(f"{base}/api/v1/namespaces/bench/configmaps", seconds, script=create))
        patch = lua('wrk.method = "PATCH"\nwrk.headers["Content-Type"] = "application/merge-patch+json"\n'
                    'counter = 0\nrequest = function()\n counter = counter + 1\n'
                    ' return wrk.format(nil, nil, nil, \'{"metadata":{"annotations":{"n":"\' .. counter .. \'"}}}\')\nend\n')
        measure("PATCH pod (merge, in memory)", lambda: wrk(f"{base}/api/v1/namespaces/bench/pods/p-0", seconds, script=patch))
        rss_mib = kube.rss_kib() / 1024
    finally:
        kube.stop()

    watch = watch_fanout(args, [1, 100 if args.short else 10_000])
    statefulsets = statefulset_ready(args, [("Parallel", 50 if args.short else 1000), ("OrderedReady", 20 if args.short else 200)])

    if args.short:
        print(f"startup to /readyz: {startup_ms:.0f} ms; RSS after load: {rss_mib:.0f} MiB")
        for w in watch:
            print(f"watch fan-out: {w}")
        for policy, replicas, elapsed in statefulsets:
            print(f"StatefulSet {policy} {replicas} replicas Ready in {elapsed:.2f} s")
        print(f"{len(results) + len(watch) + len(statefulsets)} passed, 0 failed")
        return
    write_report(args, results, startup_ms, rss_mib, runs, seconds, watch, statefulsets)


def watch_fanout(args, counts):
    """Opens N idle watches on a fresh server, reads its memory, then times one write reaching all of them."""
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    here = os.path.dirname(os.path.abspath(__file__))
    client = os.path.join(os.path.dirname(args.baseline), "watchers")
    subprocess.run(["gcc", "-O2", "-o", client, os.path.join(here, "watchers.c")], check=True)
    body = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
    body.write('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"generateName":"e-"},"data":{"a":"1"}}')
    body.close()
    rows = []
    for n in counts:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = Server([args.kubelite, "serve", "--port", str(port), "--log-level", "error", "--dns-port", "0", "--in-memory"], base + "/readyz")
        try:
            http("POST", base + "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "wb"}})
            before = server.rss_kib()
            proc = subprocess.Popen([client, "127.0.0.1", str(port), "/api/v1/namespaces/wb/configmaps?watch=1", str(n),
                                     "/api/v1/namespaces/wb/configmaps", body.name, "hold"],
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            line = proc.stdout.readline().strip()
            after = server.rss_kib()
            proc.stdin.close()
            proc.wait(30)
            if not line.startswith("watchers="):
                raise SystemExit(f"watch benchmark failed for {n} watchers")
            fields = dict(kv.split("=") for kv in line.split())
            fields["kib_per_watcher"] = f"{(after - before) / n:.1f}"
            rows.append(fields)
        finally:
            server.stop()
    return rows


def statefulset_ready(args, cases):
    """Time from creating a StatefulSet to status.readyReplicas == replicas, zero simulated delay."""
    rows = []
    for policy, replicas in cases:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        # 110 pods fit on a node (upstream's default max-pods), so enough simulated nodes for every replica.
        nodes = str(max(1, (replicas + 109) // 110))
        server = Server([args.kubelite, "serve", "--port", str(port), "--log-level", "error", "--dns-port", "0",
                         "--in-memory", "--nodes", nodes], base + "/readyz")
        try:
            sts = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "bench"},
                   "spec": {"replicas": replicas, "serviceName": "bench", "podManagementPolicy": policy,
                            "selector": {"matchLabels": {"app": "bench"}},
                            "template": {"metadata": {"labels": {"app": "bench"}},
                                         "spec": {"containers": [{"name": "c", "image": "redis:7"}]}}}}
            start = time.monotonic()
            http("POST", base + "/apis/apps/v1/namespaces/default/statefulsets", sts)

            def ready():
                _, body = http("GET", base + "/apis/apps/v1/namespaces/default/statefulsets/bench")
                return json.loads(body).get("status", {}).get("readyReplicas", 0) == replicas
            wait_until(ready, 300, f"{replicas} {policy} replicas Ready")
            rows.append((policy, replicas, time.monotonic() - start))
        finally:
            server.stop()
    return rows


def write_report(args, results, startup_ms, rss_mib, runs, seconds, watch, statefulsets):
    cpu = "unknown CPU"
    with open("/proc/cpuinfo") as f:
        m = re.search(r"model name\s*:\s*(.+)", f.read())
        cpu = m.group(1) if m else cpu
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    baseline = results["baseline: libmicrohttpd fixed JSON"][0]
    lines = [
        "# Benchmarks", "",
        f"Measured {time.strftime('%Y-%m-%d')} on {os.cpu_count()} cores ({cpu}), {mem:.0f} GiB, {platform.platform()}.",
        f"Command: `benchmarks/run --runs {runs} --duration {seconds}` (wrk -t1 -c50 on the same machine; medians of {runs} runs of {seconds} s).",
        "Ratios are to the minimal libmicrohttpd handler (`benchmarks/baseline/minimal.c`) measured in the same run.", "",
        "| benchmark | requests/s | p99 | vs baseline |", "| --- | ---: | ---: | ---: |",
    ]
    for name, (rps, p99) in results.items():
        lines.append(f"| {name} | {rps:,.0f} | {p99:.2f} ms | {rps / baseline:.0%} |")
    lines += ["", "Watch fan-out (one write, time until each watcher has the event; `benchmarks/watchers.c`):", "",
              "| watchers | establish all | p50 | p99 | last | resident memory per watcher |",
              "| ---: | ---: | ---: | ---: | ---: | ---: |"]
    for w in watch:
        lines.append(f"| {int(w['watchers']):,} | {float(w['establish_ms']):.0f} ms | {w['p50_ms']} ms | {w['p99_ms']} ms | "
                     f"{w['max_ms']} ms | {w['kib_per_watcher']} KiB |")
    lines += ["", "StatefulSet to fully Ready, zero simulated delay, one simulated node per 110 pods (create, then poll status every 10 ms):", "",
              "| podManagementPolicy | replicas | time to readyReplicas = replicas |", "| --- | ---: | ---: |"]
    for policy, replicas, elapsed in statefulsets:
        lines.append(f"| {policy} | {replicas:,} | {elapsed:.2f} s |")
    lines += ["", f"Startup to `/readyz` 200 (empty store, includes process start): {startup_ms:.0f} ms.",
              f"Resident memory after the runs above (1,101 pods plus created configmaps): {rss_mib:.0f} MiB.", ""]
    # The durable-write section comes from benchmarks/durable.py (it needs etcd); keep the last one.
    if os.path.exists(args.output):
        previous = open(args.output).read()
        start = previous.find("## Durable writes")
        if start >= 0:
            end = previous.find("\n## ", start + 1)
            lines += [previous[start:end if end >= 0 else len(previous)].rstrip(), ""]
    notes = os.path.join(os.path.dirname(__file__), "NOTES.md")
    if os.path.exists(notes):
        lines += [open(notes).read()]
    with open(args.output, "w") as f:
        f.write("\n".join(lines))
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
