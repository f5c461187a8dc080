"""Request throughput with wrk (50 connections): the minimal libmicrohttpd handler (the HTTP layer's
ceiling), then kubelite in memory: GET by name, LIST of 100 and 1,000 pods as JSON and Table,
CREATE and PATCH; then the minimal handler again, serving the bytes of kubelite's LIST of 1,000 pods
(what issue 19 compares that LIST with). Figures `rps:<key>` and `p99:<key>` (ms)."""
from harness import Kubelite, Server, free_port, http, request_script, wrk

TABLE = "Accept: application/json;as=Table;v=v1;g=meta.k8s.io"

# (key, label) in report order; the baseline is the first.
ROWS = [
    ("baseline", "baseline: libmicrohttpd fixed JSON"),
    ("get", "GET pod by name (JSON)"),
    ("get-table", "GET pod by name (Table)"),
    ("list100", "LIST 100 pods (JSON)"),
    ("list100-table", "LIST 100 pods (Table)"),
    ("list1000", "LIST 1000 pods (JSON)"),
    ("list1000-table", "LIST 1000 pods (Table)"),
    ("create", "CREATE configmap (in memory)"),
    ("patch", "PATCH pod (merge, in memory)"),
    ("baseline-list1000", "baseline: libmicrohttpd serving the LIST 1000 pods bytes"),
]


def pod(name):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": {"app": "bench"}},
            "spec": {"containers": [{"name": "c", "image": "redis:7", "ports": [{"containerPort": 6379}]}]}}


CONFIGMAP = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"generateName": "cm-"}, "data": {"k": "v"}}


def patch_script():
    """A merge patch that changes an annotation on every request, so every PATCH is a real write."""
    return ('wrk.method = "PATCH"\nwrk.headers["Content-Type"] = "application/merge-patch+json"\n'
            'counter = 0\nrequest = function()\n counter = counter + 1\n'
            ' return wrk.format(nil, nil, nil, \'{"metadata":{"annotations":{"n":"\' .. counter .. \'"}}}\')\nend\n')


def create_namespace(base, name):
    http("POST", base + "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})


def seed_pods(base):
    for ns, count in (("bench", 1), ("bench100", 100), ("bench1000", 1000)):
        create_namespace(base, ns)
        for i in range(count):
            http("POST", f"{base}/api/v1/namespaces/{ns}/pods", pod(f"p-{i}"))


def measure(context, key, url, **options):
    for _ in range(context.settings.runs):
        rps, p99 = wrk(url, context.settings.seconds, **options)
        context.figures.add(f"rps:{key}", rps)
        context.figures.add(f"p99:{key}", p99)
    print(f"  {key:<16} {context.figures.get('rps:' + key):>10,.0f} req/s", flush=True)


def run_baseline(context, key="baseline", body_file=None):
    port = free_port()
    baseline = Server([context.baseline, str(port), *([body_file] if body_file else [])], f"http://127.0.0.1:{port}/")
    try:
        measure(context, key, f"http://127.0.0.1:{port}/")
    finally:
        baseline.stop()


def run(context):
    run_baseline(context)
    server = Kubelite(context.kubelite)
    try:
        base = server.base
        seed_pods(base)
        one = f"{base}/api/v1/namespaces/bench/pods/p-0"
        measure(context, "get", one)
        measure(context, "get-table", one, headers=[TABLE])
        for size in (100, 1000):
            pods = f"{base}/api/v1/namespaces/bench{size}/pods"
            measure(context, f"list{size}", pods)
            measure(context, f"list{size}-table", pods, headers=[TABLE])
        create = context.workdir.file(".lua", request_script(CONFIGMAP))
        measure(context, "create", f"{base}/api/v1/namespaces/bench/configmaps", script=create)
        measure(context, "patch", one, script=context.workdir.file(".lua", patch_script()))
        _, list_body = http("GET", f"{base}/api/v1/namespaces/bench1000/pods")
    finally:
        server.stop()
    body_file = context.workdir.file(".json", "")
    with open(body_file, "wb") as f:
        f.write(list_body)
    run_baseline(context, "baseline-list1000", body_file)
