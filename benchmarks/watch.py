"""Watch fan-out: N idle watches on a fresh server (`watchers.c`), the server's memory read with them
open, then one write timed until every watcher has the event. Figures per N:
`watch-<n>-establish-ms`, `-p50-ms`, `-p99-ms`, `-max-ms`, `-received` and `-kib-per-watcher`."""
import subprocess

from harness import BenchmarkError, Kubelite
from throughput import create_namespace

EVENT = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"generateName":"e-"},"data":{"a":"1"}}'


def counts(context):
    return (1, context.settings.watchers)


def fan_out(context, n, body):
    server = Kubelite(context.kubelite)
    try:
        create_namespace(server.base, "wb")
        before = server.rss_kib()
        proc = subprocess.Popen([context.watchers, "127.0.0.1", str(server.port), "/api/v1/namespaces/wb/configmaps?watch=1",
                                 str(n), "/api/v1/namespaces/wb/configmaps", body, "hold"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        line = proc.stdout.readline().strip()
        after = server.rss_kib()
        proc.stdin.close()
        proc.wait(60)
    finally:
        server.stop()
    if not line.startswith("watchers="):
        raise BenchmarkError(f"the watch fan-out with {n} watchers did not complete")
    fields = dict(kv.split("=") for kv in line.split())
    key = f"watch-{n}"
    context.figures.add(f"{key}-received", fields["watchers"])
    for name in ("establish", "p50", "p99", "max"):
        context.figures.add(f"{key}-{name}-ms", fields[f"{name}_ms"])
    context.figures.add(f"{key}-kib-per-watcher", (after - before) / n)


def run(context):
    body = context.workdir.file(".json", EVENT)
    for n in counts(context):
        context.repeat(lambda: fan_out(context, n, body))
        print(f"  {n:,} watchers: p99 {context.figures.get(f'watch-{n}-p99-ms'):.2f} ms, "
              f"{context.figures.get(f'watch-{n}-kib-per-watcher'):.1f} KiB each", flush=True)
