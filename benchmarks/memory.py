"""Resident memory with many pods stored (in memory), against the issue's bound: at most twice the
stored objects' JSON plus 50 MiB. The JSON size is the sum of each pod's compact JSON as the server
returns it in a LIST (read in pages). Figures `memory-pods`, `memory-json-mib`, `memory-rss-mib`."""
import json, time

from harness import Kubelite, list_items, load

MIB = 1024 * 1024

# Pending pods no scheduler serves, so no controller writes to them: what is stored is what was sent
# plus the server's defaults.
UNSCHEDULED_POD = {
    "apiVersion": "v1", "kind": "Pod",
    "metadata": {"generateName": "pod-", "labels": {"app": "bench", "tier": "backend"}},
    "spec": {"schedulerName": "benchmark-unscheduled",
             "containers": [{"name": "app", "image": "registry.example/app:1.0", "ports": [{"containerPort": 8080}],
                             "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}}}]},
}


def load_pods(context, server, count):
    """Creates `count` (or a few more) pods in `default` through the API, 50 clients at once."""
    load(context.workdir, f"{server.base}/api/v1/namespaces/default/pods", UNSCHEDULED_POD, count)


def stored_json(server):
    """(number of pods, bytes of their JSON) as the server returns them."""
    pods, size = 0, 0
    for item in list_items(f"{server.base}/api/v1/namespaces/default/pods"):
        pods += 1
        size += len(json.dumps(item, separators=(",", ":"), ensure_ascii=False).encode())
    return pods, size


def measure(context):
    server = Kubelite(context.kubelite)
    try:
        start = time.monotonic()
        load_pods(context, server, context.settings.objects)
        loaded = time.monotonic() - start
        time.sleep(1)  # let controllers' informers and the watch cache settle before reading RSS
        rss = server.rss_kib() * 1024
        pods, size = stored_json(server)
    finally:
        server.stop()
    figures = context.figures
    figures.add("memory-pods", pods)
    figures.add("memory-json-mib", size / MIB)
    figures.add("memory-rss-mib", rss / MIB)
    figures.add("memory-load-rate", pods / loaded)
    print(f"  {pods:,} pods: JSON {size / MIB:.1f} MiB, resident {rss / MIB:.1f} MiB "
          f"(loaded at {pods / loaded:,.0f} pods/s)", flush=True)


def run(context):
    context.repeat(lambda: measure(context))
