#!/usr/bin/env python3
"""Durable writes: kubelite creates with --data-dir (each answered after its fsync) at 1 and 50
clients, beside etcd 3.4 (Debian etcd-server) doing puts through its JSON gateway at the same
concurrency in the same run, both on the same disk; then the time kubelite takes to restart on a
store of 100,000 objects. Prints a Markdown section for BENCHMARKS.md."""
import argparse, base64, json, os, shutil, sqlite3, subprocess, sys, tempfile, time, uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import Server, free_port, lua, wait_until, wrk  # noqa: E402

import urllib.request  # noqa: E402


def kubelite_creates(binary, data_dir, seconds, clients):
    port = free_port()
    server = Server([binary, "serve", "--port", str(port), "--log-level", "error", "--dns-port=-1", "--data-dir", data_dir],
                    f"http://127.0.0.1:{port}/readyz")
    try:
        create = lua('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
                     'wrk.body = \'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"generateName":"cm-"},"data":{"k":"v"}}\'\n')
        return wrk(f"http://127.0.0.1:{port}/api/v1/namespaces/default/configmaps", seconds, connections=clients, script=create)
    finally:
        server.stop()


def etcd_puts(data_dir, seconds, clients):
    client, peer = free_port(), free_port()
    proc = subprocess.Popen(["etcd", "--data-dir", data_dir, "--listen-client-urls", f"http://127.0.0.1:{client}",
                             "--advertise-client-urls", f"http://127.0.0.1:{client}",
                             "--listen-peer-urls", f"http://127.0.0.1:{peer}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until(lambda: urllib.request.urlopen(f"http://127.0.0.1:{client}/health").status == 200, 30, "etcd")
        key = base64.b64encode(b"/registry/configmaps/default/bench").decode()
        value = base64.b64encode(b'{"apiVersion":"v1","kind":"ConfigMap","data":{"k":"v"}}').decode()
        put = lua('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
                  f'wrk.body = \'{{"key":"{key}","value":"{value}"}}\'\n')
        return wrk(f"http://127.0.0.1:{client}/v3/kv/put", seconds, connections=clients, script=put)
    finally:
        proc.terminate()
        proc.wait(10)


def restart_time(binary, data_dir, objects):
    """Seeds `objects` ConfigMaps straight into a fresh store's log, then times startup to /readyz."""
    port = free_port()
    first = Server([binary, "serve", "--port", str(port), "--log-level", "error", "--dns-port=-1", "--data-dir", data_dir],
                   f"http://127.0.0.1:{port}/readyz")
    first.stop()
    db = sqlite3.connect(os.path.join(data_dir, "kubelite.db"))
    start = db.execute("SELECT max(revision) FROM log").fetchone()[0]
    rows = []
    for i in range(objects):
        revision = start + 1 + i
        name = f"seed-{i}"
        body = {"apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": name, "namespace": "default", "uid": str(uuid.uuid4()),
                             "resourceVersion": str(revision), "creationTimestamp": "2026-01-01T00:00:00Z"},
                "data": {"k": "v" * 100}}
        rows.append((revision, "configmaps", "default", name, 1, 0, 0, json.dumps(body, separators=(",", ":")).encode()))
    db.executemany("INSERT INTO log VALUES(?,?,?,?,?,?,?,?)", rows)
    db.commit()
    db.close()
    port = free_port()
    second = Server([binary, "serve", "--port", str(port), "--log-level", "error", "--dns-port=-1", "--data-dir", data_dir],
                    f"http://127.0.0.1:{port}/readyz")
    second.stop()
    return second.ready_after


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kubelite", default=".build/release/kubelite")
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--dir", default=None, help="where the data directories go (default: a temp dir)")
    parser.add_argument("--objects", type=int, default=100_000)
    args = parser.parse_args()
    base = tempfile.mkdtemp(prefix="kubelite-durable-", dir=args.dir)
    try:
        lines = ["| clients | kubelite durable creates/s | p99 | etcd 3.4 puts/s | p99 |", "| ---: | ---: | ---: | ---: | ---: |"]
        for clients in (1, 50):
            k = kubelite_creates(args.kubelite, os.path.join(base, f"k{clients}"), args.duration, clients)
            e = etcd_puts(os.path.join(base, f"e{clients}"), args.duration, clients)
            lines.append(f"| {clients} | {k[0]:,.0f} | {k[1]:.2f} ms | {e[0]:,.0f} | {e[1]:.2f} ms |")
        seconds = restart_time(args.kubelite, os.path.join(base, "restart"), args.objects)
        lines += ["", f"Restart to `/readyz` 200 with {args.objects:,} stored objects: {seconds:.2f} s."]
        print("\n".join(lines))
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
