"""A normal client's latency while other clients flood the server (issue 12, items 1 and 5): eight
clients looping on a future resourceVersion (each request waits 3 s for it), then twenty clients
looping on unpaginated JSON LISTs of many ConfigMaps. The normal client GETs one object and /readyz
in turn, one request at a time. Figures `flood-<name>-p99-ms`, `flood-<name>-max-ms`, and for the
LIST flood `flood-list-mib` (one list) and `flood-list-peak-mib` (resident growth over the seeded level)."""
import subprocess, time, urllib.error, urllib.request

from harness import Kubelite, load

MIB = 1024 * 1024
CONFIGMAP = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"generateName": "cm-"}, "data": {"k": "v" * 200}}


def rss_mib(server):
    return server.rss_kib() / 1024


def fetch(url, timeout=30):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.read()
    except urllib.error.HTTPError as error:
        return error.read()


def probe(server, seconds, during):
    """Latencies (ms) of a normal client's GETs for `seconds`, calling `during()` between requests."""
    urls = [server.base + "/api/v1/namespaces/default/configmaps/probe", server.base + "/readyz"]
    latencies, deadline, i = [], time.monotonic() + seconds, 0
    while time.monotonic() < deadline:
        start = time.monotonic()
        try:
            fetch(urls[i % 2], timeout=10)
        except OSError:
            pass  # a timeout counts as its 10 s (the server starved the client)
        latencies.append((time.monotonic() - start) * 1000)
        during()
        i += 1
    return sorted(latencies)


def flood(server, clients, url, seconds, name, figures, sample=lambda: None):
    """`clients` connections looping on `url` (wrk, a separate process: flooding threads in this Python
    process would slow the normal client through the GIL, not through the server)."""
    wrk = subprocess.Popen(["wrk", "-t1", f"-c{clients}", f"-d{seconds + 2}s", "--timeout", "10s", url],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(0.5)  # lets the flood reach the server before the normal client starts measuring
        latencies = probe(server, seconds, sample)
    finally:
        wrk.terminate()
        wrk.wait(30)
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    figures.add(f"flood-{name}-p99-ms", p99)
    figures.add(f"flood-{name}-max-ms", latencies[-1])
    print(f"  {name:<22} normal client p99 {p99:.1f} ms, max {latencies[-1]:.1f} ms ({len(latencies)} requests)", flush=True)


def measure(context):
    settings, figures = context.settings, context.figures
    server = Kubelite(context.kubelite)
    try:
        configmaps = f"{server.base}/api/v1/namespaces/default/configmaps"
        fetch_created = urllib.request.Request(configmaps, method="POST", headers={"Content-Type": "application/json"},
                                               data=b'{"metadata":{"name":"probe"},"data":{"k":"v"}}')
        urllib.request.urlopen(fetch_created).read()
        seconds = max(2, settings.seconds)
        flood(server, 8, configmaps + "/probe?resourceVersion=99999999999", seconds, "future-rv", figures)
        load(context.workdir, configmaps, CONFIGMAP, 5_000 if settings.short else 50_000)  # above 1 MiB: streamed
        figures.add("flood-list-mib", len(fetch(configmaps)) / MIB)
        seeded, peak = rss_mib(server), [0.0]
        flood(server, 20, configmaps, seconds, "list", figures, sample=lambda: peak.__setitem__(0, max(peak[0], rss_mib(server))))
        figures.add("flood-list-peak-mib", max(0.0, peak[0] - seeded))
        print(f"  one list {figures.get('flood-list-mib'):.1f} MiB; resident grew {peak[0] - seeded:.0f} MiB under 20 lists", flush=True)
    finally:
        server.stop()


def run(context):
    context.repeat(lambda: measure(context))
