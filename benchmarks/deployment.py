"""Deployment time to fully available with zero simulated delay, then a rolling update of it: create
the Deployment and poll its status every 10 ms until availableReplicas = replicas; then change the
template and poll until every replica is updated and available and no old one is left. One simulated
node per 110 pods (upstream's default max-pods) for twice the replicas, so no pod waits for room:
old pods still hold theirs while they terminate, and the new set grows meanwhile. Figures `deploy-available-s`, `deploy-rollout-s`."""
import json, time

from harness import Kubelite, http, wait_until


def deployment(replicas):
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "bench"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "bench"}},
                     "template": {"metadata": {"labels": {"app": "bench"}},
                                  "spec": {"containers": [{"name": "c", "image": "nginx:1"}]}}}}


def rolled_out(url, replicas):
    def check():
        d = json.loads(http("GET", url + "/bench")[1])
        status = d.get("status", {})
        return (status.get("observedGeneration", 0) >= d["metadata"]["generation"]
                and status.get("updatedReplicas", 0) == replicas and status.get("replicas", 0) == replicas
                and status.get("availableReplicas", 0) == replicas)
    return check


def measure(context, replicas):
    nodes = max(1, (2 * replicas + 109) // 110)
    server = Kubelite(context.kubelite, extra=["--nodes", str(nodes)])
    try:
        url = server.base + "/apis/apps/v1/namespaces/default/deployments"
        start = time.monotonic()
        http("POST", url, deployment(replicas))
        wait_until(rolled_out(url, replicas), 300, f"{replicas} replicas available", interval=0.01)
        context.figures.add("deploy-available-s", time.monotonic() - start)

        start = time.monotonic()
        patch = {"spec": {"template": {"spec": {"containers": [{"name": "c", "image": "nginx:2"}]}}}}
        http("PATCH", url + "/bench", patch, content_type="application/strategic-merge-patch+json")
        wait_until(rolled_out(url, replicas), 300, f"{replicas} replicas rolled out", interval=0.01)
        context.figures.add("deploy-rollout-s", time.monotonic() - start)
    finally:
        server.stop()


def run(context):
    replicas = context.settings.parallel_replicas
    context.repeat(lambda: measure(context, replicas))
    print(f"  {replicas:,} replicas: available {context.figures.get('deploy-available-s'):.2f} s, "
          f"rolling update {context.figures.get('deploy-rollout-s'):.2f} s", flush=True)
