"""Pods that really run (issue 13): kubelite with `--pod-runtime process` (root on Linux), timed from
create to Ready for single pods (p50) and for batches created at once, the round trip of
`exec true` over WebSocket (v5.channel.k8s.io), and Kubelite's resident memory per running pod;
the same counts with simulated pods beside them. Ready is seen on a watch opened before the
creates, so no polling interval rounds the figures. Redis pods as a StatefulSet's would be, with
an emptyDir at /data (so no redis writes into the host's /data).
Figures `realpods-<runtime>-single-ms`, `realpods-<runtime>-<n>-s`, `realpods-<runtime>-<n>-kib-per-pod`,
`realpods-exec-ms`."""
import http.client, json, os, shutil, socket, threading, time

from exec_client import exec_command
from harness import BenchmarkError, Kubelite, http as call
from figures import fmt

RUNTIMES = ("process", "simulated")


def counts(context):
    """(single pods timed one after another, batch sizes created at once, exec round trips)."""
    big = context.settings.real_pods
    return (3, (1, big), 10) if context.settings.short else (20, (1, 10, big), 100)


def available():
    """Why real pods cannot run here, or None."""
    if os.geteuid() != 0:
        return "needs root"
    missing = [p for p in ("unshare", "nsenter", "redis-server") if shutil.which(p) is None]
    return f"needs {', '.join(missing)}" if missing else None


def redis_pod(name):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": {"app": "bench"}},
            "spec": {"terminationGracePeriodSeconds": 0,
                     "containers": [{"name": "redis", "image": "redis:7", "volumeMounts": [{"name": "data", "mountPath": "/data"}]}],
                     "volumes": [{"name": "data", "emptyDir": {}}]}}


class ReadyWatch:
    """A watch on the benchmark's pods, opened before they are created: `wait(names)` returns when
    every named pod has been seen Ready, with the monotonic time each was first seen so."""

    def __init__(self, server):
        self.conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
        self.conn.request("GET", "/api/v1/namespaces/default/pods?watch=true&labelSelector=app%3Dbench")
        self.response = self.conn.getresponse()
        self.ready = {}
        self.cond = threading.Condition()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        try:
            for line in self.response:
                event = json.loads(line)
                pod = event.get("object", {})
                conditions = pod.get("status", {}).get("conditions", [])
                if any(c["type"] == "Ready" and c["status"] == "True" for c in conditions):
                    with self.cond:
                        self.ready.setdefault(pod["metadata"]["name"], time.monotonic())
                        self.cond.notify_all()
        except (OSError, ValueError, http.client.HTTPException):
            pass

    def wait(self, names, timeout=120):
        with self.cond:
            if not self.cond.wait_for(lambda: all(n in self.ready for n in names), timeout):
                missing = [n for n in names if n not in self.ready]
                raise BenchmarkError(f"{len(missing)} pods not Ready within {timeout} s: {missing[:5]}")
            return [self.ready[n] for n in names]

    def close(self):
        # Shut the socket down first: closing the response while the reader thread is inside it blocks.
        try:
            self.conn.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.reader.join(5)
        self.conn.close()


def create(server, names):
    """Creates the pods at once (up to 10 clients); returns the monotonic time the first create was sent."""
    url = server.base + "/api/v1/namespaces/default/pods"
    pending = list(names)
    lock = threading.Lock()

    def worker():
        while True:
            with lock:
                if not pending:
                    return
                name = pending.pop()
            call("POST", url, redis_pod(name))
    start = time.monotonic()
    workers = [threading.Thread(target=worker) for _ in range(min(10, len(names)))]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return start


def single_pods(context, runtime, count, exec_runs):
    """Pods created one at a time, each timed create→Ready; then `exec true` round trips into the first."""
    server = Kubelite(context.kubelite, pod_runtime=runtime)
    watch = ReadyWatch(server)
    try:
        for i in range(count):
            name = f"single-{i}"
            start = create(server, [name])
            context.figures.add(f"realpods-{runtime}-single-ms", (watch.wait([name])[0] - start) * 1000)
        if runtime == "process":
            exec_command(server.port, "default", "single-0", ["true"])  # a first exec warms the path
            for _ in range(exec_runs):
                start = time.monotonic()
                _, status = exec_command(server.port, "default", "single-0", ["true"])
                elapsed = (time.monotonic() - start) * 1000
                if (status or {}).get("status") != "Success":
                    raise BenchmarkError(f"exec true ended with {status}")
                context.figures.add("realpods-exec-ms", elapsed)
    finally:
        watch.close()
        server.stop()


def batch(context, runtime, n):
    """n pods created at once: time until the last is Ready, and resident growth per pod."""
    server = Kubelite(context.kubelite, pod_runtime=runtime)
    watch = ReadyWatch(server)
    try:
        time.sleep(0.5)
        before = server.rss_kib()
        names = [f"batch-{i}" for i in range(n)]
        start = create(server, names)
        context.figures.add(f"realpods-{runtime}-{n}-s", max(watch.wait(names)) - start)
        time.sleep(1)  # let status writes and the watch cache settle before reading RSS
        context.figures.add(f"realpods-{runtime}-{n}-kib-per-pod", (server.rss_kib() - before) / n)
    finally:
        watch.close()
        server.stop()


def run(context):
    reason = available()
    if reason:
        raise BenchmarkError(f"real pods: {reason}")
    singles, batches, exec_runs = counts(context)
    f = context.figures
    for runtime in RUNTIMES:
        context.repeat(lambda: single_pods(context, runtime, singles, exec_runs))
        print(f"  {runtime}: single pod create→Ready p50 {f.get(f'realpods-{runtime}-single-ms'):.1f} ms", flush=True)
        for n in batches:
            context.repeat(lambda: batch(context, runtime, n))
            print(f"  {runtime}: {n} pods Ready in {f.get(f'realpods-{runtime}-{n}-s'):.2f} s, "
                  f"{f.get(f'realpods-{runtime}-{n}-kib-per-pod'):,.0f} KiB resident per pod", flush=True)
    print(f"  exec true round trip p50 {f.get('realpods-exec-ms'):.1f} ms", flush=True)


def section(context):
    f = context.figures
    singles, batches, exec_runs = counts(context)

    lines = ["## Pods that really run (issue 13)", "",
             f"`--pod-runtime process` against `simulated`, redis pods with an emptyDir at /data. Single pods: {singles} created "
             "one after another, each timed from its POST to Ready on a watch (median shown). Batches: created at once by "
             f"10 clients, timed to the last Ready; resident growth of Kubelite divided by the pods. exec: `true` over a "
             f"WebSocket (v5.channel.k8s.io), {exec_runs} round trips from connect to the server's close.", "",
             "| pods | process: to Ready | simulated: to Ready | process: Kubelite resident per pod | simulated: per pod |",
             "| --- | ---: | ---: | ---: | ---: |",
             f"| 1 at a time (p50) | {fmt(f.get('realpods-process-single-ms'), '{:.1f} ms')} | "
             f"{fmt(f.get('realpods-simulated-single-ms'), '{:.1f} ms')} | | |"]
    for n in batches:
        lines.append(f"| {n} at once | {fmt(f.get(f'realpods-process-{n}-s'), '{:.2f} s')} | "
                     f"{fmt(f.get(f'realpods-simulated-{n}-s'), '{:.2f} s')} | "
                     f"{fmt(f.get(f'realpods-process-{n}-kib-per-pod'), '{:,.0f} KiB')} | "
                     f"{fmt(f.get(f'realpods-simulated-{n}-kib-per-pod'), '{:,.0f} KiB')} |")
    lines += ["", f"exec `true` round trip p50: {fmt(f.get('realpods-exec-ms'), '{:.1f} ms')}.", ""]
    return lines


