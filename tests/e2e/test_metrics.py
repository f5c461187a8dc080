"""/metrics as kube-apiserver serves it, read with a real Prometheus text parser (prometheus_client's):
request counts by upstream's labels match the requests this test made, with their latency histogram,
in-flight and long-running gauges, watch events, stored objects per resource and the process collector."""

import subprocess

import requests

from prometheus_client.parser import text_string_to_metric_families

from support import wait_for


def scrape(server):
    response = server.raw("GET", "/metrics")
    assert response.status_code == 200, response.text[:300]
    assert response.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    return {family.name: family for family in text_string_to_metric_families(response.text)}


def sample(families, family, name, **labels):
    """The value of the sample `name` of `family` whose labels include `labels` (0 when there is none)."""
    found = [s.value for s in families[family].samples if s.name == name and labels.items() <= s.labels.items()] \
        if family in families else []
    assert len(found) <= 1, found
    return found[0] if found else 0


def test_request_counts_and_latencies_match_the_requests_made(start_server):
    server = start_server()
    # The harness read nodes while waiting for the controllers: count this test's requests from here.
    nodes = {"verb": "LIST", "scope": "cluster", "resource": "nodes", "code": "200"}
    nodes_before = sample(scrape(server), "apiserver_request", "apiserver_request_total", **nodes)
    for _ in range(3):
        assert server.raw("GET", "/api/v1/namespaces/default/configmaps/absent").status_code == 404
    for _ in range(2):
        assert server.raw("GET", "/api/v1/namespaces/default/configmaps").status_code == 200
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "m"}}
    assert server.raw("POST", "/api/v1/namespaces/default/configmaps", body).status_code == 201
    assert server.raw("POST", "/api/v1/namespaces/default/configmaps?dryRun=All", {**body, "metadata": {"name": "d"}}).status_code == 201
    assert server.raw("GET", "/api/v1/nodes").status_code == 200

    families = scrape(server)
    common = {"group": "", "version": "v1", "resource": "configmaps", "subresource": "", "component": "apiserver"}
    assert sample(families, "apiserver_request", "apiserver_request_total", verb="GET", scope="resource", code="404",
                  dry_run="", **common) == 3
    assert sample(families, "apiserver_request", "apiserver_request_total", verb="LIST", scope="namespace", code="200",
                  **common) == 2
    assert sample(families, "apiserver_request", "apiserver_request_total", verb="POST", scope="resource", code="201",
                  dry_run="", **common) == 1
    assert sample(families, "apiserver_request", "apiserver_request_total", verb="POST", code="201", dry_run="All",
                  **common) == 1
    assert sample(families, "apiserver_request", "apiserver_request_total", **nodes) == nodes_before + 1
    # The histogram: one observation per request, in upstream's buckets.
    assert sample(families, "apiserver_request_duration_seconds", "apiserver_request_duration_seconds_count",
                  verb="GET", scope="resource", **common) == 3
    assert sample(families, "apiserver_request_duration_seconds", "apiserver_request_duration_seconds_bucket",
                  verb="GET", scope="resource", le="60.0", **common) == 3
    assert families["apiserver_request_duration_seconds"].type == "histogram"
    assert families["apiserver_request"].type == "counter"

    assert sample(families, "apiserver_storage_objects", "apiserver_storage_objects", resource="configmaps") >= 1
    assert sample(families, "apiserver_storage_objects", "apiserver_storage_objects", resource="namespaces") >= 4
    assert sample(families, "apiserver_current_inflight_requests", "apiserver_current_inflight_requests",
                  request_kind="readOnly") >= 1  # the scrape itself
    assert sample(families, "process_resident_memory_bytes", "process_resident_memory_bytes") > 1 << 20
    assert sample(families, "process_open_fds", "process_open_fds") > 3
    assert sample(families, "process_start_time_seconds", "process_start_time_seconds") > 1.7e9


def test_a_watch_counts_as_long_running_while_it_lasts_and_as_a_request_when_it_ends(start_server):
    server = start_server()
    watch = requests.get(server.url + "/api/v1/namespaces/default/configmaps?watch=true", stream=True, timeout=30, **server.tls)
    labels = {"verb": "WATCH", "resource": "configmaps", "scope": "namespace"}
    wait_for(lambda: sample(scrape(server), "apiserver_longrunning_requests", "apiserver_longrunning_requests", **labels) == 1,
             10, "the watch counted as long-running")
    watch.close()
    wait_for(lambda: sample(scrape(server), "apiserver_longrunning_requests", "apiserver_longrunning_requests", **labels) == 0,
             10, "the watch's end")
    assert sample(scrape(server), "apiserver_request", "apiserver_request_total", code="200", **labels) == 1


def test_watch_events_are_counted_with_their_sizes(start_server):
    """apiserver_watch_events_total and _sizes: one count per event line a watch writes, bucketed by bytes."""
    server = start_server()
    labels = {"group": "", "version": "v1", "resource": "configmaps"}

    def counted():
        return sample(scrape(server), "apiserver_watch_events", "apiserver_watch_events_total", **labels)

    watch = requests.get(server.url + "/api/v1/namespaces/default/configmaps?watch=true", stream=True, timeout=30, **server.tls)
    try:
        initial = wait_for(lambda: counted() or None, 10, "the initial ADDED event (kube-root-ca.crt) counted")
        families = scrape(server)
        small = sample(families, "apiserver_watch_events_sizes", "apiserver_watch_events_sizes_bucket", le="2048.0", **labels)
        body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "big"}, "data": {"k": "v" * 3000}}
        assert server.raw("POST", "/api/v1/namespaces/default/configmaps", body).status_code == 201
        wait_for(lambda: counted() == initial + 1, 10, "the ADDED event of the new ConfigMap counted")
        families = scrape(server)
        assert families["apiserver_watch_events_sizes"].type == "histogram"
        assert sample(families, "apiserver_watch_events_sizes", "apiserver_watch_events_sizes_bucket", le="2048.0", **labels) == small
        assert sample(families, "apiserver_watch_events_sizes", "apiserver_watch_events_sizes_bucket", le="4096.0", **labels) \
            == initial + 1
    finally:
        watch.close()


def test_kubectl_get_raw_metrics(server, kubectl_cache):
    result = subprocess.run(["kubectl", "--kubeconfig", str(server.kubeconfig), f"--cache-dir={kubectl_cache}",
                             "get", "--raw", "/metrics"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    names = {family.name for family in text_string_to_metric_families(result.stdout)}
    assert {"apiserver_request", "apiserver_request_duration_seconds", "process_cpu_seconds"} <= names, names


def test_metrics_takes_only_get(raw):
    response = raw("POST", "/metrics")
    assert response.status_code == 405


def queue_sample(families, family, name, queue):
    """`sample` for the workqueue families, whose label `name` is the queue's."""
    found = [s.value for s in families[family].samples if s.name == name and s.labels.get("name") == queue] \
        if family in families else []
    assert len(found) <= 1, found
    return found[0] if found else 0


def go_exponential_buckets(start, factor, count):
    """prometheus.ExponentialBuckets as Go computes it: each bound the previous one times `factor`."""
    buckets = []
    for _ in range(count):
        buckets.append(start)
        start *= factor
    return buckets


def test_workqueue_metrics_count_a_statefulsets_reconciles(start_server):
    """client-go's workqueue metrics as kube-controller-manager exports them: every family labelled by
    queue name, with upstream's help texts and buckets; the StatefulSet's queue counts its adds."""
    server = start_server()
    body = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "web"},
            "spec": {"serviceName": "web", "replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                     "template": {"metadata": {"labels": {"app": "web"}},
                                  "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}}}}
    assert server.raw("POST", "/apis/apps/v1/namespaces/default/statefulsets", body).status_code == 201
    wait_for(lambda: server.raw("GET", "/apis/apps/v1/namespaces/default/statefulsets/web").json()
             .get("status", {}).get("readyReplicas") == 1, 30, "web's pod ready")

    queue = "statefulset"
    def drained():
        families = scrape(server)
        idle = queue_sample(families, "workqueue_depth", "workqueue_depth", queue) == 0 and \
            queue_sample(families, "workqueue_longest_running_processor_seconds", "workqueue_longest_running_processor_seconds", queue) == 0
        return families if idle else None

    # Reconciled at least for the create and the pod's changes; nothing waits or runs once all are done.
    families = wait_for(drained, 10, "the statefulset queue idle")
    adds = queue_sample(families, "workqueue_adds", "workqueue_adds_total", queue)
    assert adds >= 2, adds
    assert families["workqueue_adds"].type == "counter"
    assert families["workqueue_adds"].documentation == "[BETA] Total number of adds handled by workqueue"
    assert families["workqueue_depth"].type == "gauge"
    assert families["workqueue_retries"].type == "counter"
    for histogram, help_text in (
            ("workqueue_queue_duration_seconds", "[BETA] How long in seconds an item stays in workqueue before being requested."),
            ("workqueue_work_duration_seconds", "[BETA] How long in seconds processing an item from workqueue takes.")):
        assert families[histogram].type == "histogram"
        assert families[histogram].documentation == help_text
        buckets = [s.labels["le"] for s in families[histogram].samples
                   if s.name == histogram + "_bucket" and s.labels["name"] == "statefulset"]
        assert [float(b) for b in buckets] == go_exponential_buckets(10e-7, 10, 10) + [float("inf")], buckets
        # Every key handed out was observed waiting, and every one finished was observed working.
        assert queue_sample(families, histogram, histogram + "_count", queue) >= 1
    assert queue_sample(families, "workqueue_unfinished_work_seconds", "workqueue_unfinished_work_seconds", queue) == 0
    # Other controllers' queues carry upstream's names.
    names = {s.labels["name"] for s in families["workqueue_adds"].samples}
    assert {"statefulset", "replicaset", "deployment", "garbage_collector_attempt_to_delete", "endpoint_slice"} <= names, names


def test_decoded_object_cache_is_reported(start_server):
    """Kubelite's own families for its bounded set of decoded objects: the budget the flag set, what is
    held within it, and the counters of trees built from bytes and evicted."""
    server = start_server("--decoded-object-cache-bytes", "1048576")
    for i in range(50):
        body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"m{i}"}, "data": {"k": "v" * 8000}}
        assert server.raw("POST", "/api/v1/namespaces/default/configmaps", body).status_code == 201
    assert server.raw("GET", "/api/v1/namespaces/default/configmaps?labelSelector=x%21%3Dy").status_code == 200
    families = scrape(server)
    assert sample(families, "kubelite_decoded_objects_budget_bytes", "kubelite_decoded_objects_budget_bytes") == 1048576
    held = sample(families, "kubelite_decoded_objects_bytes", "kubelite_decoded_objects_bytes")
    assert 0 < held <= 1048576 + 5 * 9000, held
    # 50 ConfigMaps of 8 KB are about 2 MiB of trees over a 1 MiB budget: some
    # were evicted, and the LIST's selector decoded those again.
    assert sample(families, "kubelite_decoded_objects_evicted", "kubelite_decoded_objects_evicted_total") > 0
    assert sample(families, "kubelite_decoded_objects_built", "kubelite_decoded_objects_built_total") > 0
