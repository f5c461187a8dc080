"""Custom resources and server-side apply (issue 16): a CRD from its create until its resource is
served; a durable start with 100 CRDs installed beside an empty durable start in the same run; and a
server-side apply of a StatefulSet beside a merge patch making the same change (an annotation that
changes on every request, so each is a real write), at 1 and 50 clients. Figures `crd-served-ms`,
`startup-crds-ms`, `startup-nocrds-ms`, `rps:apply-1`, `rps:merge-1`, `rps:apply-50`, `rps:merge-50`."""
import time
import urllib.error
import urllib.request

from harness import Kubelite, http, wrk
from figures import fmt

CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
INSTALLED = 100


def definition(i):
    group = f"g{i}.bench.example.com"
    return {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": f"widgets.{group}"},
            "spec": {"group": group, "scope": "Namespaced", "names": {"plural": "widgets", "kind": "Widget"},
                     "versions": [{"name": "v1", "served": True, "storage": True, "schema": {"openAPIV3Schema": {
                         "type": "object", "properties": {"spec": {"type": "object", "properties": {
                             "replicas": {"type": "integer", "minimum": 0}, "image": {"type": "string"}}}}}}}]}}


def served(base, i):
    try:
        with urllib.request.urlopen(f"{base}/apis/g{i}.bench.example.com/v1/widgets") as r:
            return r.status == 200
    except urllib.error.URLError:
        return False


def create_until_served(base, i, deadline=10.0):
    """Milliseconds from the CRD's POST until a LIST of its resource answers 200 (polled every 0.2 ms)."""
    start = time.monotonic()
    http("POST", base + CRDS, definition(i))
    while not served(base, i):
        if time.monotonic() - start > deadline:
            raise RuntimeError(f"CRD {i} was not served within {deadline} s")
        time.sleep(0.0002)
    return (time.monotonic() - start) * 1000


STATEFULSET = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "web"},
               "spec": {"replicas": 0, "serviceName": "web", "selector": {"matchLabels": {"app": "web"}},
                        "template": {"metadata": {"labels": {"app": "web"}},
                                     "spec": {"containers": [{"name": "web", "image": "nginx"}]}}}}


def patch_script(content_type, body_prefix, body_suffix):
    """A PATCH whose annotation `n` changes on every request."""
    return (f'wrk.method = "PATCH"\nwrk.headers["Content-Type"] = "{content_type}"\n'
            'counter = 0\nrequest = function()\n counter = counter + 1\n'
            f" return wrk.format(nil, nil, nil, '{body_prefix}' .. counter .. '{body_suffix}')\nend\n")


APPLY = patch_script("application/apply-patch+yaml",
                     '{"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"web","annotations":{"n":"', '"}}}')
MERGE = patch_script("application/merge-patch+json", '{"metadata":{"annotations":{"n":"', '"}}}')


def run(context):
    figures, settings = context.figures, context.settings
    server = Kubelite(context.kubelite)
    try:
        for i in range(max(3, settings.runs)):
            figures.add("crd-served-ms", create_until_served(server.base, i))
        http("POST", server.base + "/apis/apps/v1/namespaces/default/statefulsets", STATEFULSET)
        url = server.base + "/apis/apps/v1/namespaces/default/statefulsets/web"
        apply_script = context.workdir.file(".lua", APPLY)
        merge_script = context.workdir.file(".lua", MERGE)
        for clients in (1, 50):
            for _ in range(settings.runs):
                rps, _ = wrk(url + "?fieldManager=bench&force=true", settings.seconds, connections=clients, script=apply_script)
                figures.add(f"rps:apply-{clients}", rps)
                rps, _ = wrk(url + "?fieldManager=bench-merge", settings.seconds, connections=clients, script=merge_script)
                figures.add(f"rps:merge-{clients}", rps)
    finally:
        server.stop()

    data_dir = context.workdir.dir("crds-")
    first = Kubelite(context.kubelite, data_dir=data_dir)
    try:
        for i in range(INSTALLED):
            http("POST", first.base + CRDS, definition(i))
        deadline = time.monotonic() + 30
        while not served(first.base, INSTALLED - 1) and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        first.stop()
    for _ in range(settings.runs):
        empty = Kubelite(context.kubelite, data_dir=context.workdir.dir("nocrds-"))
        empty.stop()
        figures.add("startup-nocrds-ms", empty.ready_after * 1000)
        restarted = Kubelite(context.kubelite, data_dir=data_dir)
        restarted.stop()
        figures.add("startup-crds-ms", restarted.ready_after * 1000)
    print(f"  CRD served after {figures.get('crd-served-ms'):.1f} ms; start with {INSTALLED} CRDs "
          f"{figures.get('startup-crds-ms'):.0f} ms (empty {figures.get('startup-nocrds-ms'):.0f} ms); apply/merge "
          f"{figures.get('rps:apply-1'):,.0f}/{figures.get('rps:merge-1'):,.0f} req/s at 1, "
          f"{figures.get('rps:apply-50'):,.0f}/{figures.get('rps:merge-50'):,.0f} at 50", flush=True)


def section(context):
    f = context.figures


    def share(a, b):
        return "n/a" if f.get(a) is None or not f.get(b) else f"{f.get(a) / f.get(b):.0%}"

    return ["## Custom resources and server-side apply", "",
            "A CRD with a structural schema from its POST until a LIST of its resource answers 200 (polled every "
            f"0.2 ms); a durable start with {INSTALLED} CRDs installed beside an empty durable start; then a "
            "server-side apply (`application/apply-patch+yaml`, `force=true`) of a StatefulSet's annotation beside a "
            "merge patch making the same change, both changing it on every request, with wrk at 1 and 50 connections.", "",
            "| measure | value |", "| --- | ---: |",
            f"| CRD created until served | {fmt(f.get('crd-served-ms'), '{:.1f} ms')} |",
            f"| start, durable, {INSTALLED} CRDs installed | {fmt(f.get('startup-crds-ms'), '{:.0f} ms')} |",
            f"| start, durable, empty (same run) | {fmt(f.get('startup-nocrds-ms'), '{:.0f} ms')} |",
            f"| apply, 1 client | {fmt(f.get('rps:apply-1'), '{:,.0f} req/s')} ({share('rps:apply-1', 'rps:merge-1')} of merge) |",
            f"| merge patch, 1 client | {fmt(f.get('rps:merge-1'), '{:,.0f} req/s')} |",
            f"| apply, 50 clients | {fmt(f.get('rps:apply-50'), '{:,.0f} req/s')} ({share('rps:apply-50', 'rps:merge-50')} of merge) |",
            f"| merge patch, 50 clients | {fmt(f.get('rps:merge-50'), '{:,.0f} req/s')} |", ""]
