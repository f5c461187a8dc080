"""Startup: process start to `/readyz` 200 with an empty store (in memory and durable), and the
durable restart with many stored pods (created through the API, then the server restarted on the
same data directory). Figures `startup-memory-ms`, `startup-durable-ms`, `restart-pods`,
`restart-s` and `restart-rss-mib`."""
from harness import Kubelite, count_items
from memory import MIB, load_pods


def empty(context):
    for _ in range(context.settings.runs):
        server = Kubelite(context.kubelite)
        server.stop()
        context.figures.add("startup-memory-ms", server.ready_after * 1000)
        server = Kubelite(context.kubelite, data_dir=context.workdir.dir("empty-"))
        server.stop()
        context.figures.add("startup-durable-ms", server.ready_after * 1000)


def restart(context):
    data_dir = context.workdir.dir("restart-")
    first = Kubelite(context.kubelite, data_dir=data_dir)
    try:
        load_pods(context, first, context.settings.objects)
    finally:
        first.stop()
    for _ in range(context.settings.runs):
        server = Kubelite(context.kubelite, data_dir=data_dir)
        try:
            context.figures.add("restart-rss-mib", server.rss_kib() * 1024 / MIB)
            pods = count_items(f"{server.base}/api/v1/namespaces/default/pods")
        finally:
            server.stop()
        context.figures.add("restart-pods", pods)
        context.figures.add("restart-s", server.ready_after)


def run(context):
    empty(context)
    restart(context)
    figures = context.figures
    print(f"  empty store: {figures.get('startup-memory-ms'):.0f} ms in memory, "
          f"{figures.get('startup-durable-ms'):.0f} ms durable; restart with {figures.get('restart-pods'):,.0f} pods "
          f"{figures.get('restart-s'):.2f} s", flush=True)
