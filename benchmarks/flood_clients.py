#!/usr/bin/env python3
"""The hostile side of the floods benchmark, run as a child process so its work does not share the
measuring client's interpreter: `flood_clients.py KIND BASE_URL COUNT SECONDS`. It prints `ready` once
the flood is established, keeps it up until SECONDS have passed or SIGTERM, then prints a JSON summary
line (answers by status, connections held, bytes read). Traffic goes to BASE_URL only (127.0.0.1).

Kinds (issue 12's reproductions):
  future-rv     COUNT looping clients, half GET by name, half LIST, with resourceVersion=99999999999
  idle-sockets  COUNT connections opened and held without sending a byte
  big-lists     COUNT looping clients, each an unpaginated LIST of the `flood` namespace's ConfigMaps
Standard library only."""
import collections, http.client, json, resource, signal, socket, sys, threading, time, urllib.parse

FUTURE = "resourceVersion=99999999999"


class Flood:
    def __init__(self, base, count, seconds):
        url = urllib.parse.urlsplit(base)
        self.host, self.port = url.hostname, url.port
        self.count = count
        self.deadline = time.monotonic() + seconds
        self.stopped = threading.Event()
        self.lock = threading.Lock()
        self.statuses = collections.Counter()
        self.bytes = 0

    def running(self):
        return not self.stopped.is_set() and time.monotonic() < self.deadline

    def record(self, status, size=0):
        with self.lock:
            self.statuses[str(status)] += 1
            self.bytes += size

    def loop(self, path):
        """Requests `path` again as soon as each answer (or failure) is in, on a fresh connection."""
        while self.running():
            connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                size = 0
                while chunk := response.read(1 << 16):
                    size += len(chunk)
                self.record(response.status, size)
            except OSError as error:
                self.record(type(error).__name__)
                self.stopped.wait(0.05)  # a refused or reset client retries, but not in a hot loop
            finally:
                connection.close()

    def loopers(self, paths):
        threads = [threading.Thread(target=self.loop, args=(paths[i % len(paths)],), daemon=True)
                   for i in range(self.count)]
        for thread in threads:
            thread.start()
        return threads

    def future_rv(self):
        return self.loopers([f"/api/v1/namespaces/default/configmaps/target?{FUTURE}",
                             f"/api/v1/namespaces/default/configmaps?{FUTURE}"])

    def big_lists(self):
        return self.loopers(["/api/v1/namespaces/flood/configmaps"])

    def idle_sockets(self):
        """Opens the connections (each connect bounded to 2 s) and keeps them; none sends anything."""
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, self.count + 256)), hard))
        self.held = []
        for _ in range(self.count):
            s = socket.socket()
            s.settimeout(2)
            try:
                s.connect((self.host, self.port))
                self.held.append(s)
                self.record("held")
            except OSError as error:
                s.close()
                self.record(type(error).__name__)
        return []


def main():
    kind, base, count, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    flood = Flood(base, count, seconds)
    signal.signal(signal.SIGTERM, lambda *_: flood.stopped.set())
    threads = {"future-rv": flood.future_rv, "idle-sockets": flood.idle_sockets, "big-lists": flood.big_lists}[kind]()
    print("ready", flush=True)
    flood.stopped.wait(max(0.0, flood.deadline - time.monotonic()))
    flood.stopped.set()
    for thread in threads:
        thread.join(1)  # a looper stuck in a long answer is a daemon: the summary does not wait for it
    with flood.lock:
        print(json.dumps({"statuses": dict(flood.statuses), "bytes": flood.bytes}), flush=True)


if __name__ == "__main__":
    main()
