"""Kubelite on etcd (--etcd-servers, issue 18), all in one run: a three-member etcd cluster (Debian's
etcd-server, members on free ports with data dirs in the run's scratch dir, stopped after) and three
Kubelite replicas on it, beside one Kubelite on SQLite (--data-dir) and beside etcd's own put rate
through its JSON gateway. Measured in turn, run after run, so this machine's drift hits all alike:
GET of one ConfigMap, LIST of 100, ConfigMap creates, through one replica (at 1 and 50 clients) and
through all three at once (50 clients split 17/17/16, one wrk per replica, rates summed); etcd's puts
through one member and through all three the same way; then watch fan-out through one and three
replicas (watches spread over them, the write through the first), and controller failover
(etcd_failover.py). Figures `rps:`/`p99:` with keys `etcd-<store>-<op>-<clients>` (store `sqlite`, `r1`,
`r3`; op `get` (consistent), `get0` (`resourceVersion=0`: from the watch cache), `list`, `create`) and `etcd-own-put-<members>-<clients>`; `etcd-watch-<store>-p50-ms`,
`-p99-ms`, `-received`."""
import base64, json, subprocess

from harness import BenchmarkError, EtcdCluster, Kubelite, count_items, http, request_script, wait_until, wrk, wrk_spread
from figures import fmt
from throughput import CONFIGMAP, create_namespace
import etcd_failover

CLIENTS = (1, 50)
SPREAD = 50          # clients over the three replicas (and over the three members for etcd's own puts)
LIST_SIZE = 100
STORES = (("sqlite", "Kubelite on SQLite (`--data-dir`), one process"), ("r1", "etcd, through one of three replicas"),
          ("r3", "etcd, through all three replicas at once"))
OPS = ("get", "get0", "list", "create")
EVENT = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"generateName":"e-"},"data":{"a":"1"}}'


def watchers(settings):
    return 100 if settings.short else 1_000


def record(context, key, sample):
    context.figures.add(f"rps:{key}", sample[0])
    context.figures.add(f"p99:{key}", sample[1])


def replica(context, cluster, i, prefix, extra=(), **options):
    """Replica `i` of three on `cluster`, a node of its own (`--node-name`, `--node-index`)."""
    return Kubelite(context.kubelite, data_dir=context.workdir.dir(f"replica-{i}-"),
                    extra=["--etcd-servers", ",".join(cluster.urls), "--etcd-prefix", prefix,
                           "--node-name", f"{prefix.strip('/')}-{i}", "--node-index", str(i), *extra], **options)


def seed(base):
    http("POST", f"{base}/api/v1/namespaces/default/configmaps", dict(CONFIGMAP, metadata={"name": "fixed"}))
    create_namespace(base, "bench-list")
    for i in range(LIST_SIZE):
        http("POST", f"{base}/api/v1/namespaces/bench-list/configmaps", dict(CONFIGMAP, metadata={"name": f"l-{i}"}))


def measure(context, store, bases, clients, scripts):
    """GET, LIST and create through `bases` (one wrk each, at once, when there are several)."""
    seconds = context.settings.seconds
    paths = {"get": "/api/v1/namespaces/default/configmaps/fixed",
             "get0": "/api/v1/namespaces/default/configmaps/fixed?resourceVersion=0",
             "list": "/api/v1/namespaces/bench-list/configmaps",
             "create": "/api/v1/namespaces/default/configmaps"}
    for op in OPS:
        urls = [base + paths[op] for base in bases]
        script = scripts.get(op)
        sample = wrk(urls[0], seconds, clients, script=script) if len(urls) == 1 else \
            wrk_spread(urls, seconds, clients, script=script)
        record(context, f"etcd-{store}-{op}-{clients}", sample)


def own_puts(context, urls, clients, script):
    seconds = context.settings.seconds
    puts = [url + "/v3/kv/put" for url in urls]
    sample = wrk(puts[0], seconds, clients, script=script) if len(puts) == 1 else wrk_spread(puts, seconds, clients, script)
    record(context, f"etcd-own-put-{len(urls)}-{clients}", sample)


def fan_out(context, store, servers, body, attempt):
    """`watchers` watches spread over `servers`, one write through the first, time until each has it."""
    n = watchers(context.settings)
    namespace = f"wb-{store}-{attempt}"  # empty: a watch from "now" gets no initial ADDED events to mistake
    create_namespace(servers[0].base, namespace)
    done = subprocess.run([context.watchers, "127.0.0.1", ",".join(str(s.port) for s in servers),
                           f"/api/v1/namespaces/{namespace}/configmaps?watch=1", str(n),
                           f"/api/v1/namespaces/{namespace}/configmaps", body], capture_output=True, text=True, timeout=120)
    if done.returncode != 0 or not done.stdout.startswith("watchers="):
        raise BenchmarkError(f"the watch fan-out through {store} did not complete: {done.stderr.strip()}")
    fields = dict(kv.split("=") for kv in done.stdout.split())
    context.figures.add(f"etcd-watch-{store}-received", fields["watchers"])
    for name in ("p50", "p99"):
        context.figures.add(f"etcd-watch-{store}-{name}-ms", fields[f"{name}_ms"])


def throughput(context, cluster):
    sqlite = Kubelite(context.kubelite, data_dir=context.workdir.dir("kubelite-sqlite-"))
    replicas = []
    try:
        for i in range(3):
            replicas.append(replica(context, cluster, i, "/bench"))
        seed(sqlite.base)
        seed(replicas[0].base)
        # Every list holds the seed and the namespace's kube-root-ca.crt (a controller adds it) in every
        # replica's watch cache before anything is measured.
        wait_until(lambda: all(count_items(f"{s.base}/api/v1/namespaces/bench-list/configmaps") == LIST_SIZE + 1
                               for s in [sqlite, *replicas]), 30, "the seed in every store", interval=0.05)
        key = base64.b64encode(b"/bench-own/configmaps/default/put").decode()
        value = base64.b64encode(json.dumps(CONFIGMAP).encode()).decode()
        put = context.workdir.file(".lua", request_script({"key": key, "value": value}))
        scripts = {"create": context.workdir.file(".lua", request_script(CONFIGMAP))}
        for _ in range(context.settings.runs):
            for clients in CLIENTS:
                measure(context, "sqlite", [sqlite.base], clients, scripts)
                measure(context, "r1", [replicas[0].base], clients, scripts)
                own_puts(context, cluster.urls[:1], clients, put)
            measure(context, "r3", [r.base for r in replicas], SPREAD, scripts)
            own_puts(context, cluster.urls, SPREAD, put)
        body = context.workdir.file(".json", EVENT)
        for attempt in range(context.settings.runs):
            for store, servers in (("sqlite", [sqlite]), ("r1", replicas[:1]), ("r3", replicas)):
                fan_out(context, store, servers, body, attempt)
    finally:
        for server in [sqlite, *replicas]:
            server.stop()


def run(context):
    cluster = EtcdCluster(context.workdir)
    try:
        throughput(context, cluster)
        f = context.figures
        for store, _ in STORES:
            clients = SPREAD if store == "r3" else 50
            print(f"  {store} at {clients} clients: GETs {f.get(f'rps:etcd-{store}-get-{clients}'):,.0f}/s, "
                  f"at rv=0 {f.get(f'rps:etcd-{store}-get0-{clients}'):,.0f}/s, "
                  f"LISTs {f.get(f'rps:etcd-{store}-list-{clients}'):,.0f}/s, "
                  f"creates {f.get(f'rps:etcd-{store}-create-{clients}'):,.0f}/s; "
                  f"watch p99 {f.get(f'etcd-watch-{store}-p99-ms'):.2f} ms", flush=True)
        print(f"  etcd's own puts at 50 clients: one member {f.get('rps:etcd-own-put-1-50'):,.0f}/s, "
              f"three {f.get(f'rps:etcd-own-put-3-{SPREAD}'):,.0f}/s", flush=True)
        context.repeat(lambda: etcd_failover.measure(context, cluster, replica))
        print(f"  failover: another replica leads {f.get('etcd-failover-lease-s'):.2f} s after the leader's SIGKILL, "
              f"the scale completes at {f.get('etcd-failover-scale-s'):.2f} s "
              f"(lease {etcd_failover.lease_duration(context.settings):g} s)", flush=True)
    finally:
        cluster.stop()


def section(context):
    f = context.figures
    n = watchers(context.settings)
    lines = ["## Kubelite on etcd (`--etcd-servers`, issue 18)", "",
             "A three-member etcd 3.4 cluster (Debian `etcd-server`, one machine) and three Kubelite replicas on it, "
             "all started by the benchmark, beside one Kubelite on SQLite, measured in turn run after run. GET of one "
             "ConfigMap (on etcd a consistent read: etcd's current revision read, then served from the watch cache once "
             "it has it; reads arriving meanwhile share the next revision), the same GET with `resourceVersion=0` "
             "(any revision: served from the watch cache at once, as upstream serves it), LIST of a namespace's 100 ConfigMaps (and its `kube-root-ca.crt`), creates of "
             "ConfigMaps (answered once etcd has the write and the replica's watch cache has applied it). \"Through one "
             "replica\": one wrk against one replica while the other two keep their watch caches current. \"Through "
             f"three\": {SPREAD} connections split 17/17/16, one wrk per replica running at the same time, their rates "
             "summed and the largest p99 shown; all of it shares this machine's cores, so three replicas add no CPU. "
             "etcd's own puts go through its JSON gateway (`/v3/kv/put`) to one member, and to all three the same way.", "",
             "| store | clients | GETs/s | p99 | GETs/s at rv=0 | p99 | LISTs/s | p99 | creates/s | p99 | etcd's own puts/s | p99 | creates ÷ puts |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for store, label in STORES:
        for clients in ((SPREAD,) if store == "r3" else CLIENTS):
            row = [label, str(clients)]
            for op in OPS:
                row += [fmt(f.get(f"rps:etcd-{store}-{op}-{clients}"), "{:,.0f}"),
                        fmt(f.get(f"p99:etcd-{store}-{op}-{clients}"), "{:.2f} ms")]
            if store == "sqlite":
                row += ["", "", ""]
            else:
                members = 3 if store == "r3" else 1
                put, create = f.get(f"rps:etcd-own-put-{members}-{clients}"), f.get(f"rps:etcd-{store}-create-{clients}")
                row += [fmt(put, "{:,.0f}"), fmt(f.get(f"p99:etcd-own-put-{members}-{clients}"), "{:.2f} ms"),
                        fmt(create / put if create is not None and put else None, "{:.2f}")]
            lines.append("| " + " | ".join(row) + " |")
    lines += ["", f"Watch fan-out: {n:,} watches of a namespace's ConfigMaps, spread over the replicas in turn, then one "
              "create through the first replica; time from the write until each watcher has the event (`watchers.c`).", "",
              "| store | watches | received | p50 | p99 |", "| --- | ---: | ---: | ---: | ---: |"]
    for store, label in STORES:
        lines.append(f"| {label} | {n:,} | {fmt(f.get(f'etcd-watch-{store}-received'), '{:,.0f}')} | "
                     f"{fmt(f.get(f'etcd-watch-{store}-p50-ms'), '{:.2f} ms')} | "
                     f"{fmt(f.get(f'etcd-watch-{store}-p99-ms'), '{:.2f} ms')} |")
    return lines + [""] + etcd_failover.section(context)
