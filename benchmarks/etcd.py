"""Kubelite on etcd (--etcd-servers): ConfigMap creates through Kubelite (each answered once etcd
has it and the watch cache has applied it) and GETs served from the watch cache, beside etcd 3.4's
own put rate through its JSON gateway, against the same etcd member, in the same run. Figures
`rps:`/`p99:` with keys `etcd-create-<clients>`, `etcd-get-<clients>` and `etcd-own-put-<clients>`."""
import base64, json, subprocess, urllib.request

from harness import Kubelite, free_port, http, request_script, wait_until, wrk
from figures import fmt
from throughput import CONFIGMAP

CLIENTS = (1, 50)


def record(context, key, sample):
    context.figures.add(f"rps:{key}", sample[0])
    context.figures.add(f"p99:{key}", sample[1])


def start_etcd(context):
    client, peer = free_port(), free_port()
    url = f"http://127.0.0.1:{client}"
    proc = subprocess.Popen(["etcd", "--data-dir", context.workdir.dir("etcd-backend-"),
                             "--listen-client-urls", url, "--advertise-client-urls", url,
                             "--listen-peer-urls", f"http://127.0.0.1:{peer}",
                             "--initial-advertise-peer-urls", f"http://127.0.0.1:{peer}",
                             "--initial-cluster", f"default=http://127.0.0.1:{peer}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_until(lambda: urllib.request.urlopen(f"{url}/health").status == 200, 30, "etcd", interval=0.05)
    return proc, url


def run(context):
    proc, url = start_etcd(context)
    try:
        server = Kubelite(context.kubelite, data_dir=context.workdir.dir("kubelite-etcd-"), extra=["--etcd-servers", url])
        try:
            http("POST", f"{server.base}/api/v1/namespaces/default/configmaps",
                 dict(CONFIGMAP, metadata={"name": "fixed"}))
            create = context.workdir.file(".lua", request_script(CONFIGMAP))
            key = base64.b64encode(b"/bench/configmaps/default/put").decode()
            value = base64.b64encode(json.dumps(CONFIGMAP).encode()).decode()
            put = context.workdir.file(".lua", request_script({"key": key, "value": value}))
            for clients in CLIENTS:
                for _ in range(context.settings.runs):
                    record(context, f"etcd-create-{clients}",
                           wrk(f"{server.base}/api/v1/namespaces/default/configmaps", context.settings.seconds,
                               clients, script=create))
                    record(context, f"etcd-own-put-{clients}",
                           wrk(f"{url}/v3/kv/put", context.settings.seconds, clients, script=put))
                    record(context, f"etcd-get-{clients}",
                           wrk(f"{server.base}/api/v1/namespaces/default/configmaps/fixed", context.settings.seconds, clients))
                figures = context.figures
                print(f"  {clients} clients: kubelite-on-etcd creates {figures.get(f'rps:etcd-create-{clients}'):,.0f}/s, "
                      f"GETs {figures.get(f'rps:etcd-get-{clients}'):,.0f}/s; "
                      f"etcd's own puts {figures.get(f'rps:etcd-own-put-{clients}'):,.0f}/s", flush=True)
        finally:
            server.stop()
    finally:
        proc.terminate()
        proc.wait(30)


def section(context):
    f = context.figures
    lines = ["## Kubelite on etcd (`--etcd-servers`)", "",
             "One etcd 3.4 member (Debian `etcd-server`) started by the benchmark; one Kubelite on it. Creates of "
             "ConfigMaps through Kubelite (answered once etcd has the write and the watch cache has applied it) beside "
             "etcd's own puts through its JSON gateway to the same member, and GETs of one ConfigMap served from the "
             "watch cache. Issue 18's target: creates through Kubelite at least 70% of etcd's own put rate at 50 clients.", "",
             "| clients | creates/s | p99 | etcd puts/s | p99 | creates ÷ etcd puts | GETs/s | p99 |",
             "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for clients in CLIENTS:
        create, put, get = (f.get(f"rps:etcd-{kind}-{clients}") for kind in ("create", "own-put", "get"))
        share = create / put if create is not None and put else None
        lines.append(f"| {clients} | {fmt(create, '{:,.0f}')} | {fmt(f.get(f'p99:etcd-create-{clients}'), '{:.2f} ms')} | "
                     f"{fmt(put, '{:,.0f}')} | {fmt(f.get(f'p99:etcd-own-put-{clients}'), '{:.2f} ms')} | {fmt(share, '{:.2f}')} | "
                     f"{fmt(get, '{:,.0f}')} | {fmt(f.get(f'p99:etcd-get-{clients}'), '{:.2f} ms')} |")
    return lines + [""]
