"""What every benchmark shares: free ports, servers started and timed to readiness, HTTP calls,
wrk runs and bulk loads through the API. Standard library only, so it runs before any virtual env
exists."""
import json, os, re, resource, socket, subprocess, time, urllib.parse, urllib.request
from concurrent.futures import ThreadPoolExecutor


class BenchmarkError(Exception):
    """A benchmark could not run or produced no figure; the suite reports it and exits non-zero."""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(check, timeout, what, interval=0.001):
    """Polls `check` every `interval` s (1 ms by default, so startup times are not rounded to the poll)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(interval)
    raise BenchmarkError(f"timed out after {timeout} s waiting for {what}")


def http(method, url, body=None, content_type="application/json"):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": content_type})
    with urllib.request.urlopen(req) as r:
        return r.status, r.read()


def get_json(url):
    return json.loads(http("GET", url)[1])


def count_items(url):
    """How many items a collection holds, from a one-item page's remainingItemCount."""
    body = get_json(f"{url}?limit=1")
    return len(body["items"]) + body["metadata"].get("remainingItemCount", 0)


def list_items(url, page=1000):
    """Every item of a collection, read in pages with limit/continue."""
    token = ""
    while True:
        query = {"limit": page, **({"continue": token} if token else {})}
        body = get_json(f"{url}?{urllib.parse.urlencode(query)}")
        yield from body["items"]
        token = body["metadata"].get("continue", "")
        if not token:
            return


class Workdir:
    """A scratch directory on the same disk as the build (durable stores must not land on a tmpfs)."""

    def __init__(self, path):
        self.path = path
        os.makedirs(path, exist_ok=True)
        self.count = 0

    def file(self, suffix, text):
        self.count += 1
        name = os.path.join(self.path, f"f{self.count}{suffix}")
        with open(name, "w") as f:
            f.write(text)
        return name

    def dir(self, prefix):
        self.count += 1
        name = os.path.join(self.path, f"{prefix}{self.count}")
        os.makedirs(name)
        return name


class Server:
    """A process started now and polled until `ready_url` answers 200; `ready_after` is that time in s.
    `fd_limit` sets its soft open-file limit (the suite raises its own, which children inherit)."""

    def __init__(self, argv, ready_url, timeout=60, fd_limit=None, log=None):
        limit = None if fd_limit is None else (
            lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (fd_limit, resource.getrlimit(resource.RLIMIT_NOFILE)[1])))
        output = open(log, "ab") if log else subprocess.DEVNULL
        self.proc = subprocess.Popen(argv, stdout=output, stderr=output, preexec_fn=limit)
        if log:
            output.close()  # the child has its own descriptor
        started = time.monotonic()
        try:
            wait_until(lambda: self._ready(ready_url), timeout, f"{argv[0]} at {ready_url}")
        except BenchmarkError:
            self.stop()
            raise
        self.ready_after = time.monotonic() - started

    def _ready(self, url):
        if self.proc.poll() is not None:
            raise BenchmarkError(f"server exited with status {self.proc.returncode} before it was ready")
        return urllib.request.urlopen(url).status == 200

    def rss_kib(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class Kubelite(Server):
    """kubelite serve on a free port, in memory or on `data_dir`, without its DNS server, pods simulated
    unless `pod_runtime` says otherwise (`process`: pods run for real, benchmarks/realpods.py); quiet, or
    logging at `log_level` into the file `log`."""

    def __init__(self, binary, data_dir=None, extra=(), fd_limit=None, pod_runtime="simulated", log=None,
                 log_level="error"):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        store = ["--data-dir", data_dir] if data_dir else ["--in-memory"]
        # Simulated pods: these benchmarks measure the API server and the controllers. As root, the
        # default `auto` runtime would start a real redis-server for every redis pod they create.
        super().__init__([binary, "serve", "--port", str(self.port), "--log-level", log_level, "--dns-port=-1",
                          "--pod-runtime", pod_runtime, *store, *extra], self.base + "/readyz", fd_limit=fd_limit, log=log)


class EtcdCluster:
    """`size` etcd members (Debian's etcd-server) on free ports with data dirs under `workdir`, started
    together (a member answers only once a quorum runs) and stopped by `stop`. `urls`: every member's
    client URL, as --etcd-servers takes them."""

    def __init__(self, workdir, size=3):
        ports = [(free_port(), free_port()) for _ in range(size)]
        self.urls = [f"http://127.0.0.1:{client}" for client, _ in ports]
        cluster = ",".join(f"m{i}=http://127.0.0.1:{peer}" for i, (_, peer) in enumerate(ports))
        token = f"kubelite-bench-{os.getpid()}-{workdir.count}"
        self.procs = []
        try:
            for i, (url, (_, peer)) in enumerate(zip(self.urls, ports)):
                self.procs.append(subprocess.Popen(
                    ["etcd", "--name", f"m{i}", "--data-dir", workdir.dir(f"etcd-m{i}-"),
                     "--listen-client-urls", url, "--advertise-client-urls", url,
                     "--listen-peer-urls", f"http://127.0.0.1:{peer}",
                     "--initial-advertise-peer-urls", f"http://127.0.0.1:{peer}",
                     "--initial-cluster", cluster, "--initial-cluster-token", token],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            for url in self.urls:
                wait_until(lambda: self._healthy(url), 60, f"etcd member {url}", interval=0.05)
        except BaseException:
            self.stop()
            raise

    def _healthy(self, url):
        if any(p.poll() is not None for p in self.procs):
            raise BenchmarkError("an etcd member exited before the cluster was healthy")
        with urllib.request.urlopen(url + "/health", timeout=2) as answer:
            return json.loads(answer.read()).get("health") == "true"

    def stop(self):
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def wrk(url, seconds, connections=50, headers=(), script=None):
    """One wrk run (one thread, as the issue's figures); returns (requests/s, p99 in ms)."""
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for h in headers:
        cmd += ["-H", h]
    if script:
        cmd += ["-s", script]
    done = subprocess.run(cmd + [url], capture_output=True, text=True)
    out = done.stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if done.returncode == 0 and rate and float(rate.group(1)) == 0 and seconds < 5:
        # A run shorter than one answer under 50 connections (short mode's 1 s against a slow
        # LIST on a loaded machine) measures nothing: measure again over 5 s.
        return wrk(url, 5, connections, headers, script)
    if done.returncode != 0 or not rate or float(rate.group(1)) == 0:
        raise BenchmarkError(f"wrk against {url} measured nothing:\n{out}{done.stderr}")
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise BenchmarkError(f"wrk saw {errors.group(1)} error responses from {url}:\n{out}")
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    return float(rate.group(1)), float(p99.group(1)) * scale[p99.group(2)] if p99 else float("nan")


def wrk_spread(urls, seconds, connections, script=None):
    """One wrk per URL, all at once, `connections` split among them (50 over three: 17, 17, 16): the
    aggregate a cluster serves. Returns (the sum of their requests/s, the largest of their p99s)."""
    shares = [connections // len(urls) + (i < connections % len(urls)) for i in range(len(urls))]
    with ThreadPoolExecutor(len(urls)) as pool:
        results = list(pool.map(lambda u: wrk(u[0], seconds, u[1], script=script), zip(urls, shares)))
    return sum(rps for rps, _ in results), max(p99 for _, p99 in results)


def request_script(body, method="POST", content_type="application/json"):
    """wrk script text sending the same JSON body on every request."""
    return (f'wrk.method = "{method}"\nwrk.headers["Content-Type"] = "{content_type}"\n'
            f"wrk.body = [[{json.dumps(body, separators=(',', ':'))}]]\n")


def load(workdir, url, body, count, connections=50):
    """POSTs `body` (with generateName) `count` times through wrk, `connections` at once; the script
    exits wrk after the count-th answer, so up to `connections` - 1 more may still be created."""
    script = workdir.file(".lua", request_script(body) +
                          "local answered = 0\n"
                          "response = function(status, headers, body)\n"
                          '  if status >= 300 then io.stderr:write("status " .. status .. ": " .. body .. "\\n"); os.exit(1) end\n'
                          "  answered = answered + 1\n"
                          f"  if answered >= {count} then os.exit(0) end\n"
                          "end\n")
    try:
        done = subprocess.run(["wrk", "-t1", f"-c{min(connections, count)}", "-d3600s", "-s", script, url],
                              capture_output=True, text=True, timeout=120 + count / 100)
    except subprocess.TimeoutExpired:
        raise BenchmarkError(f"loading {count} objects into {url} took longer than {120 + count / 100:.0f} s")
    if done.returncode != 0:
        raise BenchmarkError(f"loading {count} objects into {url} failed: {done.stderr.strip()}")
