"""A normal client's latency while a hostile or careless client floods the server (issue 12, items 1, 2
and 5). For each flood a fresh in-memory kubelite, started with the common default soft limit of 1,024
open files (the issue's reproduction), is probed first alone (the baseline) and then while
`flood_clients.py` runs the flood from a child process:

  future-rv     16 looping clients: GET by name and LIST with `resourceVersion=99999999999`
  idle-sockets  1,100 connections opened and held idle
  big-lists     20 looping unpaginated LISTs of many ConfigMaps (20,000 of 1 KiB; short mode 1,000)

The probe is a normal client: a GET of one ConfigMap by name on a new connection, started 50 times a
second whatever the earlier ones are doing, each with a 5 s deadline (a request that fails or times
out counts as 5 s). Figures per flood:
`flood-<kind>-baseline-p50-ms`, `-baseline-p99-ms`, `flood-<kind>-p50-ms`, `-p99-ms`, `-failed`,
`-sent`, `-peak-rss-mib` and `-answers` (the flood's own completed requests)."""
import http.client, json, os, statistics, subprocess, sys, threading, time

from harness import BenchmarkError, Kubelite, http as call, load

PROBE_RATE = 50
PROBE_TIMEOUT = 5.0
SERVER_FD_LIMIT = 1024
CONFIGMAP_DATA = "x" * 1024

# (kind, label, clients in the flood)
FLOODS = [
    ("future-rv", "16 looping GET/LIST with a future resourceVersion", 16),
    ("idle-sockets", "1,100 idle sockets held open", 1100),
    ("big-lists", "20 looping unpaginated LISTs", 20),
]


def list_objects(context):
    return 1_000 if context.settings.short else 20_000


def probe_seconds(context):
    return max(2, context.settings.seconds)


def probe_once(port):
    """One GET by name on a new connection: its latency in ms, or None if it failed or timed out."""
    began = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=PROBE_TIMEOUT)
    try:
        connection.request("GET", "/api/v1/namespaces/default/configmaps/target")
        response = connection.getresponse()
        response.read()
        return (time.monotonic() - began) * 1000 if response.status == 200 else None
    except OSError:
        return None
    finally:
        connection.close()


def probe(server, seconds):
    """(latencies in ms, failures): GETs by name started every 1/PROBE_RATE s for `seconds`, each on its
    own thread, so a slow answer does not delay the next probe (no coordinated omission); a failed or
    timed-out probe counts as PROBE_TIMEOUT."""
    results, lock, threads = [], threading.Lock(), []

    def one():
        latency = probe_once(server.port)
        with lock:
            results.append(latency)

    start = time.monotonic()
    for i in range(int(seconds * PROBE_RATE)):
        delay = start + i / PROBE_RATE - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        threads.append(threading.Thread(target=one, daemon=True))
        threads[-1].start()
    for thread in threads:
        thread.join(PROBE_TIMEOUT + 2)
    with lock:
        failed = sum(latency is None for latency in results) + len(threads) - len(results)
        latencies = [PROBE_TIMEOUT * 1000 if latency is None else latency for latency in results]
    return latencies + [PROBE_TIMEOUT * 1000] * (len(threads) - len(results)), failed


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else float("nan")


def seed(context, server, kind):
    call("POST", f"{server.base}/api/v1/namespaces/default/configmaps",
         {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "target"}, "data": {"k": "v"}})
    if kind == "big-lists":
        call("POST", f"{server.base}/api/v1/namespaces",
             {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "flood"}})
        load(context.workdir, f"{server.base}/api/v1/namespaces/flood/configmaps",
             {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"generateName": "cm-"},
              "data": {"payload": CONFIGMAP_DATA}}, list_objects(context))


class PeakRSS:
    """Samples the server's resident size every 100 ms while the flood runs."""

    def __init__(self, server):
        self.server, self.peak_kib, self.done = server, 0, threading.Event()
        self.thread = threading.Thread(target=self.sample, daemon=True)
        self.thread.start()

    def sample(self):
        while not self.done.wait(0.1):
            try:
                self.peak_kib = max(self.peak_kib, self.server.rss_kib())
            except (OSError, AttributeError):
                return

    def stop(self):
        self.done.set()
        self.thread.join()
        return self.peak_kib / 1024


def start_flood(kind, server, count, seconds):
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "flood_clients.py")
    child = subprocess.Popen([sys.executable, script, kind, server.base, str(count), str(seconds)],
                             stdout=subprocess.PIPE, text=True)
    if child.stdout.readline().strip() != "ready":
        child.kill()
        raise BenchmarkError(f"the {kind} flood did not start")
    return child


def end_flood(child):
    """Stops the flood (SIGTERM; it also has a deadline of its own) and returns its summary, or {} if it
    had to be killed."""
    child.terminate()
    try:
        out, _ = child.communicate(timeout=15)
        return json.loads(out.strip().splitlines()[-1])
    except (subprocess.TimeoutExpired, IndexError, ValueError):
        child.kill()
        child.communicate()
        return {}


def measure(context, kind, clients):
    figures, seconds = context.figures, probe_seconds(context)
    server = Kubelite(context.kubelite, fd_limit=SERVER_FD_LIMIT)
    try:
        seed(context, server, kind)
        baseline, _ = probe(server, seconds)
        rss = PeakRSS(server)
        flood = start_flood(kind, server, clients, seconds + 2 * PROBE_TIMEOUT + 5)
        time.sleep(1)  # let the flood reach its steady state before probing
        during, failed = probe(server, seconds)
        summary = end_flood(flood)
        peak = rss.stop()
    finally:
        server.stop()
    k = f"flood-{kind}"
    for prefix, values in ((f"{k}-baseline", baseline), (k, during)):
        figures.add(f"{prefix}-p50-ms", percentile(values, 0.50))
        figures.add(f"{prefix}-p99-ms", percentile(values, 0.99))
    figures.add(f"{k}-failed", failed)
    figures.add(f"{k}-sent", len(during))
    figures.add(f"{k}-peak-rss-mib", peak)
    answers = summary.get("statuses", {})
    figures.add(f"{k}-answers", sum(n for status, n in answers.items() if status.isdigit()))
    print(f"  {kind:<13} probe p50 {percentile(during, 0.5):8.1f} ms, p99 {percentile(during, 0.99):8.1f} ms "
          f"(baseline p99 {percentile(baseline, 0.99):.1f} ms), {failed}/{len(during)} failed, peak RSS {peak:,.0f} MiB; "
          f"flood answers {answers}", flush=True)


def run(context):
    for kind, _, clients in FLOODS:
        context.repeat(lambda: measure(context, kind, clients))


def median_text(figures, key, pattern):
    value = figures.get(key)
    return "—" if value is None else pattern.format(value)


def section(context):
    """The report's section: one row per flood, baseline and flood side by side."""
    f = context.figures
    lines = ["## Floods (issue 12: a normal client while others flood)", "",
             f"A fresh in-memory kubelite per flood, started with a soft limit of {SERVER_FD_LIMIT:,} open files. The probe "
             f"GETs one ConfigMap by name on a new connection, {PROBE_RATE}/s for {probe_seconds(context)} s, first alone "
             f"(baseline), then during the flood; a failed or timed-out probe counts as {PROBE_TIMEOUT:.0f} s. "
             f"The big LISTs read {list_objects(context):,} ConfigMaps of 1 KiB each.", "",
             "| flood | baseline p50 | baseline p99 | p50 during | p99 during | p99 ÷ baseline | probes failed | "
             "peak resident | flood's own answers |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for kind, label, _ in FLOODS:
        k = f"flood-{kind}"
        base, during = f.get(f"{k}-baseline-p99-ms"), f.get(f"{k}-p99-ms")
        ratio = "—" if base is None or during is None or not base else f"{during / base:,.1f}×"
        lines.append(f"| {label} | {median_text(f, k + '-baseline-p50-ms', '{:.2f} ms')} | "
                     f"{median_text(f, k + '-baseline-p99-ms', '{:.2f} ms')} | {median_text(f, k + '-p50-ms', '{:.2f} ms')} | "
                     f"{median_text(f, k + '-p99-ms', '{:.2f} ms')} | {ratio} | "
                     f"{median_text(f, k + '-failed', '{:,.0f}')} of {median_text(f, k + '-sent', '{:,.0f}')} | "
                     f"{median_text(f, k + '-peak-rss-mib', '{:,.0f} MiB')} | {median_text(f, k + '-answers', '{:,.0f}')} |")
    return lines + [""]
