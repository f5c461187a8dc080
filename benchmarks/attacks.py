"""The attacks of issue 17 measured: idle connections held open (the server's resident growth per
connection, and a normal client's GET latency while they are held), and a flood of creates past the
in-flight limits on the durable store (how many are answered 201 and 429, a normal client's reads
during the flood, and every acknowledged create found after a restart: none may be lost).
Figures: `idle-rss-growth-mib`, `idle-kib-per-connection`, `idle-get-p50-ms`, `idle-get-p99-ms`,
`createflood-created`, `createflood-throttled`, `createflood-other`, `createflood-lost`,
`createflood-get-p99-ms`, `createflood-get-failed`."""
import http.client, json, multiprocessing, os, socket, statistics, threading, time

from harness import BenchmarkError, Kubelite, wait_until
from figures import fmt

CONFIGMAP = {"apiVersion": "v1", "kind": "ConfigMap", "data": {"k": "v"}}


def idle_count(context):
    return 1_000 if context.settings.short else 10_000


def flood_shape(context):
    """(flooding clients, seconds, --max-mutating-requests-inflight): twice as many writers as seats."""
    return (40, 1, 20) if context.settings.short else (200, 5, 100)


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def timed_get(connection, path):
    started = time.monotonic()
    connection.request("GET", path)
    response = connection.getresponse()
    response.read()
    if response.status != 200:
        raise BenchmarkError(f"GET {path} answered {response.status}")
    return (time.monotonic() - started) * 1000


def create(base_port, namespace, body):
    connection = http.client.HTTPConnection("127.0.0.1", base_port, timeout=30)
    connection.request("POST", f"/api/v1/namespaces/{namespace}/configmaps", json.dumps(body),
                       {"Content-Type": "application/json"})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response.status


def idle_connections(context):
    n = idle_count(context)
    server = Kubelite(context.kubelite)
    sockets = []
    try:
        create(server.port, "default", dict(CONFIGMAP, metadata={"name": "probe"}))
        path = "/api/v1/namespaces/default/configmaps/probe"
        # The resident size once start-up has settled, before any idle socket.
        time.sleep(1)
        before = server.rss_kib()

        def descriptors():
            return len(os.listdir(f"/proc/{server.proc.pid}/fd"))
        baseline = descriptors()
        for _ in range(n):
            sockets.append(socket.create_connection(("127.0.0.1", server.port), timeout=10))
        # Every socket accepted (the server holds n more descriptors) before the size is read.
        wait_until(lambda: descriptors() >= baseline + n, 30, f"{n:,} idle connections accepted", interval=0.05)
        growth = server.rss_kib() - before
        kept = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        latencies = [timed_get(kept, path) for _ in range(500)]
        if server.proc.poll() is not None:
            raise BenchmarkError("kubelite exited while idle connections were held")
    finally:
        for s in sockets:
            s.close()
        server.stop()
    context.figures.add("idle-rss-growth-mib", growth / 1024)
    context.figures.add("idle-kib-per-connection", growth / n)
    context.figures.add("idle-get-p50-ms", statistics.median(latencies))
    context.figures.add("idle-get-p99-ms", percentile(latencies, 0.99))


def flood_creates(port, clients, seconds, results):
    """The flooding side, in a child process so its threads do not share the measuring reader's
    interpreter: `clients` threads POST ConfigMaps for `seconds`; puts (counts, acknowledged names)."""
    acknowledged, counts, lock = [], {"created": 0, "throttled": 0, "other": 0}, threading.Lock()
    deadline = time.monotonic() + seconds

    def flood(worker):
        connection, i = http.client.HTTPConnection("127.0.0.1", port, timeout=30), 0
        while time.monotonic() < deadline:
            name = f"flood-{worker}-{i}"
            i += 1
            try:
                connection.request("POST", "/api/v1/namespaces/default/configmaps",
                                   json.dumps(dict(CONFIGMAP, metadata={"name": name})),
                                   {"Content-Type": "application/json"})
                response = connection.getresponse()
                response.read()
                status, retry_after = response.status, response.getheader("Retry-After")
            except (OSError, http.client.HTTPException):
                connection.close()
                connection, status, retry_after = http.client.HTTPConnection("127.0.0.1", port, timeout=30), 0, None
            with lock:
                if status == 201:
                    counts["created"] += 1
                    acknowledged.append(name)
                elif status == 429 and retry_after:
                    counts["throttled"] += 1
                else:
                    counts["other"] += 1
        connection.close()

    threads = [threading.Thread(target=flood, args=(w,), daemon=True) for w in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 60)
    results.put((counts, acknowledged))


def create_flood(context):
    clients, seconds, seats = flood_shape(context)
    data_dir = context.workdir.dir("createflood-")
    server = Kubelite(context.kubelite, data_dir=data_dir, extra=["--max-mutating-requests-inflight", str(seats)])
    latencies, failed = [], 0
    try:
        create(server.port, "default", dict(CONFIGMAP, metadata={"name": "probe"}))
        results = multiprocessing.Queue()
        flooder = multiprocessing.Process(target=flood_creates, args=(server.port, clients, seconds, results))
        flooder.start()
        reader = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        # The normal client reads 50 times a second (as the floods benchmark's probe) until the flood ends.
        while flooder.is_alive() and results.empty():
            try:
                latencies.append(timed_get(reader, "/api/v1/namespaces/default/configmaps/probe"))
            except (OSError, http.client.HTTPException, BenchmarkError):
                failed += 1
                reader = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
            time.sleep(0.02)
        counts, acknowledged = results.get(timeout=seconds + 120)
        flooder.join(30)
        if server.proc.poll() is not None:
            raise BenchmarkError("kubelite exited during the create flood")
    finally:
        server.stop()
    # Every acknowledged create must be in the store a new process reads from the same data dir.
    server = Kubelite(context.kubelite, data_dir=data_dir)
    try:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        connection.request("GET", "/api/v1/namespaces/default/configmaps")
        stored = {item["metadata"]["name"] for item in json.loads(connection.getresponse().read())["items"]}
    finally:
        server.stop()
    lost = sum(1 for name in acknowledged if name not in stored)
    for key, value in counts.items():
        context.figures.add(f"createflood-{key}", value)
    context.figures.add("createflood-lost", lost)
    context.figures.add("createflood-get-p99-ms", percentile(latencies, 0.99) if latencies else float("nan"))
    context.figures.add("createflood-get-failed", failed)
    if lost:
        raise BenchmarkError(f"{lost} acknowledged creates were not found after the restart")
    if counts["other"]:
        raise BenchmarkError(f"{counts['other']} creates answered neither 201 nor 429 with Retry-After")


def run(context):
    context.repeat(lambda: idle_connections(context))
    context.repeat(lambda: create_flood(context))
    f = context.figures
    print(f"  {idle_count(context):,} idle connections: +{f.get('idle-rss-growth-mib'):.1f} MiB resident, "
          f"GET p99 {f.get('idle-get-p99-ms'):.2f} ms; create flood: {f.get('createflood-created'):,.0f} created, "
          f"{f.get('createflood-throttled'):,.0f} answered 429, {f.get('createflood-lost'):.0f} lost, "
          f"reads p99 {f.get('createflood-get-p99-ms'):.2f} ms", flush=True)


def section(context):
    f = context.figures
    n, (clients, seconds, seats) = idle_count(context), flood_shape(context)

    return ["## Attacks (issue 17)", "",
            f"{n:,} idle TCP connections held open against an in-memory kubelite: its resident growth, and 500 GETs of "
            f"one ConfigMap by a normal kept-alive client while they are held. Then {clients} clients POST ConfigMaps as "
            f"fast as they can for {seconds} s against a durable kubelite (`--data-dir`) with "
            f"`--max-mutating-requests-inflight {seats}`, while a normal client GETs one ConfigMap 50 times a second; afterwards "
            "a new process on the same data dir lists the ConfigMaps and every create answered 201 must be there. "
            "The slow-header attack is in the connection floods section below.", "",
            "| idle connections | resident growth | per connection | GET p50 while held | GET p99 while held |",
            "| ---: | ---: | ---: | ---: | ---: |",
            f"| {n:,} | {fmt(f.get('idle-rss-growth-mib'), '{:,.1f} MiB')} | {fmt(f.get('idle-kib-per-connection'), '{:.1f} KiB')} | "
            f"{fmt(f.get('idle-get-p50-ms'), '{:.2f} ms')} | {fmt(f.get('idle-get-p99-ms'), '{:.2f} ms')} |", "",
            "| creates answered 201 | 429 with Retry-After | other answers | acknowledged but lost | reads p99 during | reads failed |",
            "| ---: | ---: | ---: | ---: | ---: | ---: |",
            f"| {fmt(f.get('createflood-created'), '{:,.0f}')} | {fmt(f.get('createflood-throttled'), '{:,.0f}')} | "
            f"{fmt(f.get('createflood-other'), '{:,.0f}')} | {fmt(f.get('createflood-lost'), '{:,.0f}')} | "
            f"{fmt(f.get('createflood-get-p99-ms'), '{:.2f} ms')} | {fmt(f.get('createflood-get-failed'), '{:,.0f}')} |", ""]
