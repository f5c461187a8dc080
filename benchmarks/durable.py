"""Durable writes: kubelite with --data-dir (each write answered after its fsync) creating ConfigMaps
and merge-patching a pod, beside etcd 3.4 (Debian etcd-server) doing puts through its JSON gateway,
at the same concurrency, in the same run and on the same disk. Figures `rps:`/`p99:` with keys
`durable-create-<clients>`, `durable-patch-<clients>` and `etcd-put-<clients>`."""
import base64, json, subprocess, urllib.request

from harness import Kubelite, free_port, http, request_script, wait_until, wrk
from throughput import CONFIGMAP, patch_script, pod

CLIENTS = (1, 50)


def record(context, key, sample):
    context.figures.add(f"rps:{key}", sample[0])
    context.figures.add(f"p99:{key}", sample[1])


def kubelite_writes(context, clients):
    server = Kubelite(context.kubelite, data_dir=context.workdir.dir(f"kubelite-{clients}-"))
    try:
        http("POST", f"{server.base}/api/v1/namespaces/default/pods", pod("p-0"))
        create = context.workdir.file(".lua", request_script(CONFIGMAP))
        patch = context.workdir.file(".lua", patch_script())
        seconds = context.settings.seconds
        for _ in range(context.settings.runs):
            record(context, f"durable-create-{clients}",
                   wrk(f"{server.base}/api/v1/namespaces/default/configmaps", seconds, clients, script=create))
            record(context, f"durable-patch-{clients}",
                   wrk(f"{server.base}/api/v1/namespaces/default/pods/p-0", seconds, clients, script=patch))
    finally:
        server.stop()


def etcd_puts(context, clients):
    client, peer = free_port(), free_port()
    proc = subprocess.Popen(["etcd", "--data-dir", context.workdir.dir(f"etcd-{clients}-"),
                             "--listen-client-urls", f"http://127.0.0.1:{client}",
                             "--advertise-client-urls", f"http://127.0.0.1:{client}",
                             "--listen-peer-urls", f"http://127.0.0.1:{peer}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until(lambda: urllib.request.urlopen(f"http://127.0.0.1:{client}/health").status == 200, 30, "etcd",
                   interval=0.05)
        key = base64.b64encode(b"/registry/configmaps/default/bench").decode()
        value = base64.b64encode(json.dumps(CONFIGMAP).encode()).decode()
        put = context.workdir.file(".lua", request_script({"key": key, "value": value}))
        for _ in range(context.settings.runs):
            record(context, f"etcd-put-{clients}",
                   wrk(f"http://127.0.0.1:{client}/v3/kv/put", context.settings.seconds, clients, script=put))
    finally:
        proc.terminate()
        proc.wait(30)


def run(context):
    for clients in CLIENTS:
        kubelite_writes(context, clients)
        etcd_puts(context, clients)
        figures = context.figures
        print(f"  {clients} clients: kubelite creates {figures.get(f'rps:durable-create-{clients}'):,.0f}/s, "
              f"patches {figures.get(f'rps:durable-patch-{clients}'):,.0f}/s; "
              f"etcd puts {figures.get(f'rps:etcd-put-{clients}'):,.0f}/s", flush=True)
