"""StatefulSet time to fully Ready with zero simulated delay: create it, then poll its status every
10 ms until readyReplicas = replicas. One simulated node per 110 pods (upstream's default max-pods).
Figures `sts-<policy>-s`."""
import json, time

from harness import Kubelite, http, wait_until


def cases(context):
    return (("Parallel", context.settings.parallel_replicas), ("OrderedReady", context.settings.ordered_replicas))


def statefulset(replicas, policy):
    return {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "bench"},
            "spec": {"replicas": replicas, "serviceName": "bench", "podManagementPolicy": policy,
                     "selector": {"matchLabels": {"app": "bench"}},
                     "template": {"metadata": {"labels": {"app": "bench"}},
                                  "spec": {"containers": [{"name": "c", "image": "redis:7"}]}}}}


def time_to_ready(context, policy, replicas):
    nodes = max(1, (replicas + 109) // 110)
    server = Kubelite(context.kubelite, extra=["--nodes", str(nodes)])
    try:
        url = server.base + "/apis/apps/v1/namespaces/default/statefulsets"
        start = time.monotonic()
        http("POST", url, statefulset(replicas, policy))

        def ready():
            status = json.loads(http("GET", url + "/bench")[1]).get("status", {})
            return status.get("readyReplicas", 0) == replicas
        wait_until(ready, 300, f"{replicas} {policy} replicas Ready", interval=0.01)
        context.figures.add(f"sts-{policy}-s", time.monotonic() - start)
    finally:
        server.stop()


def run(context):
    for policy, replicas in cases(context):
        context.repeat(lambda: time_to_ready(context, policy, replicas))
        print(f"  {policy} {replicas:,} replicas: {context.figures.get(f'sts-{policy}-s'):.2f} s", flush=True)
