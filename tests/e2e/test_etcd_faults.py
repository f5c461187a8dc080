"""One etcd member going away under a running Kubelite (SIGKILL, SIGSTOP) and coming back on the same
data dir, and the periodic compaction of etcd's history (--etcd-compaction-interval). Each test has its
own member, so killing or compacting it touches no other test."""

import base64
import json
import signal
import threading
import time
import urllib.error
import urllib.request

import pytest
import requests

from support import wait_for
from etcd_cluster import ETCD, Etcd
from test_etcd_storage import WatchStream, configmap, on_etcd  # noqa: F401 (on_etcd: fixture)

CONFIGMAPS = "/api/v1/namespaces/default/configmaps"
TIMEOUT_MESSAGE = "Timeout: request did not complete within requested timeout - context deadline exceeded"


@pytest.fixture
def etcd():
    """A member of its own for each test (on_etcd starts Kubelite on it); never left stopped or running."""
    member = Etcd()
    try:
        member.start()
        yield member
    finally:
        if member.process and member.process.poll() is None:
            member.process.send_signal(signal.SIGCONT)
        member.remove()


def compacted(etcd, revision):
    """Whether etcd refuses a read at `revision` as compacted (asked through its gateway, no etcdctl)."""
    body = {"key": base64.b64encode(b"/").decode(), "revision": str(revision)}
    try:
        etcd.call("/v3/kv/range", body)
        return False
    except urllib.error.HTTPError as error:
        return "required revision has been compacted" in error.read().decode()


def compact_rev_key(etcd):
    """upstream's compact_rev_key: (its version, the revision its value names), or None before the first round."""
    kvs = etcd.call("/v3/kv/range", {"key": base64.b64encode(b"compact_rev_key").decode()}).get("kvs", [])
    return (int(kvs[0]["version"]), int(base64.b64decode(kvs[0]["value"]))) if kvs else None


def watch_events(server, params, seconds=5):
    """A watch's events until it ends or `seconds` pass (the server ends an expired one after its ERROR)."""
    stream = WatchStream(server, CONFIGMAPS, params)
    try:
        wait_for(lambda: stream.events, seconds, "a first watch event")
        return list(stream.events)
    finally:
        stream.stop()


def test_periodic_compaction_expires_watches_and_exact_lists_from_before_it(on_etcd, etcd):
    server = on_etcd(args=["--etcd-compaction-interval", "1s"])
    first = server.raw("POST", CONFIGMAPS, configmap("first")).json()["metadata"]["resourceVersion"]
    for i in range(3):
        assert server.raw("POST", CONFIGMAPS, configmap(f"later-{i}")).status_code == 201
    # Each round records etcd's revision in compact_rev_key; the next round compacts at it.
    wait_for(lambda: (compact_rev_key(etcd) or (0, 0))[1] > int(first) + 1, 20, "a round to record a revision past the writes")
    wait_for(lambda: compacted(etcd, int(first)), 20, "etcd to be compacted past the first write")
    version, revision = compact_rev_key(etcd)
    assert version >= 2, "one write of the key per round"
    assert not compacted(etcd, revision), "the revision compacted at is kept"

    def expired():
        events = watch_events(server, {"watch": "1", "resourceVersion": first})
        return events[0]["type"] == "ERROR" and events

    events = wait_for(expired, 20, "a watch from the first write's revision to be expired")
    status = events[0]["object"]
    assert (status["kind"], status["code"], status["reason"]) == ("Status", 410, "Expired"), status
    assert status["message"].startswith(f"too old resource version: {first} ("), status

    exact = server.raw("GET", CONFIGMAPS, params={"resourceVersion": first, "resourceVersionMatch": "Exact"})
    assert exact.status_code == 410, exact.text
    assert (exact.json()["reason"], exact.json()["message"]) == ("Expired", "The resourceVersion for the provided list is too old.")
    # Reads and watches from now on are unaffected.
    listed = server.raw("GET", CONFIGMAPS)
    assert listed.status_code == 200
    assert {"first", "later-0", "later-1", "later-2"} <= {i["metadata"]["name"] for i in listed.json()["items"]}
    current = listed.json()["metadata"]["resourceVersion"]
    stream = WatchStream(server, CONFIGMAPS, {"watch": "1", "resourceVersion": current})
    try:
        assert server.raw("POST", CONFIGMAPS, configmap("after-compaction")).status_code == 201
        wait_for(lambda: [t for t, _ in stream.of("after-compaction")] == ["ADDED"], 20, "a current watch to see a new write")
    finally:
        stream.stop()


def health(server, path):
    answer = server.raw("GET", path, params={"verbose": "1"}, timeout=10)
    return answer.status_code, answer.text


def assert_outage_answers(server, started_at_most):
    """While etcd does not answer: /readyz and /livez fail their etcd checks, a write is upstream's 504
    Timeout Status within the etcd call timeout; so are consistent reads (resourceVersion ""), which
    need etcd's current revision, while reads at resourceVersion "0" are served from the watch cache."""
    wait_for(lambda: health(server, "/readyz")[0] == 500, 20, "/readyz to fail its etcd check")
    status, text = health(server, "/readyz")
    assert "[-]etcd failed" in text and "[-]etcd-readiness failed" in text, text
    status, text = health(server, "/livez")
    assert status == 500 and "[-]etcd failed" in text, text
    began = time.monotonic()
    failed = server.raw("POST", CONFIGMAPS, configmap("during"), timeout=60)
    assert time.monotonic() - began < started_at_most, "the write waited longer than the etcd call timeout"
    assert failed.status_code == 504, failed.text
    assert (failed.json()["kind"], failed.json()["reason"], failed.json()["message"]) == ("Status", "Timeout", TIMEOUT_MESSAGE)
    for path in (f"{CONFIGMAPS}/before", CONFIGMAPS):
        began = time.monotonic()
        consistent = server.raw("GET", path, timeout=60)
        assert time.monotonic() - began < started_at_most, "the consistent read waited longer than the etcd call timeout"
        assert consistent.status_code == 504, consistent.text
        assert (consistent.json()["reason"], consistent.json()["message"]) == ("Timeout", TIMEOUT_MESSAGE)
    assert server.raw("GET", f"{CONFIGMAPS}/before", params={"resourceVersion": "0"}).status_code == 200
    cached = server.raw("GET", CONFIGMAPS, params={"resourceVersion": "0"})
    assert cached.status_code == 200 and "before" in [i["metadata"]["name"] for i in cached.json()["items"]], cached.text
    assert server.process.poll() is None, "kubelite kept running"


def assert_recovered(server, watch, etcd, timed_out_write_may_apply):
    """/readyz and /livez pass again by themselves, writes work, and the watch opened before the outage sees
    the write made after it (or is told 410 Expired, which makes an informer relist). The write answered
    504 was never made when etcd refused connections; when etcd took it and stopped answering, etcd may
    apply it on resuming (upstream's Timeout says the request may still complete): the cache agrees with etcd."""
    wait_for(lambda: health(server, "/readyz")[0] == 200, 30, "/readyz to pass again")
    assert health(server, "/livez")[0] == 200
    wait_for(lambda: server.raw("POST", CONFIGMAPS, configmap("after")).status_code == 201, 30, "writes to work again")
    wait_for(lambda: watch.of("after") or any(e["type"] == "ERROR" for e in list(watch.events)), 20,
             "the watch from before the outage to report the write after it")
    if not any(e["type"] == "ERROR" for e in list(watch.events)):
        assert [t for t, _ in watch.of("after")] == ["ADDED"]
    in_etcd = etcd.get(f"{server.prefix}/configmaps/default/during") is not None
    assert timed_out_write_may_apply or not in_etcd, "a write answered 504 with etcd refusing connections was made"
    wait_for(lambda: server.raw("GET", f"{CONFIGMAPS}/during").status_code == (200 if in_etcd else 404), 20,
             "the cache to agree with etcd on the write answered 504")


def test_killed_member_write_storm_keeps_every_acknowledged_create(on_etcd, etcd):
    """SIGKILL mid-storm: creates then fail fast (connection refused) with a Status; after a restart on the
    same data dir every create that got 201 is in etcd and in Kubelite's cache."""
    server = on_etcd()
    assert server.raw("POST", CONFIGMAPS, configmap("before")).status_code == 201
    listed = server.raw("GET", CONFIGMAPS).json()["metadata"]["resourceVersion"]
    watch = WatchStream(server, CONFIGMAPS, {"watch": "1", "resourceVersion": listed})
    acknowledged, answers, slowest = [], [], [0.0]
    lock, stop = threading.Lock(), threading.Event()

    def storm(worker):
        session = server.session()
        for i in range(100000):
            if stop.is_set():
                return
            name = f"storm-{worker}-{i}"
            began = time.monotonic()
            try:
                answer = session.post(server.url + CONFIGMAPS, json=configmap(name), timeout=60)
            except requests.RequestException as error:
                answer = error
            with lock:
                slowest[0] = max(slowest[0], time.monotonic() - began)
                answers.append(answer)
                if getattr(answer, "status_code", None) == 201:
                    acknowledged.append(name)

    workers = [threading.Thread(target=storm, args=(w,)) for w in range(8)]
    try:
        for w in workers:
            w.start()
        wait_for(lambda: len(acknowledged) >= 100, 60, "100 creates before the kill")
        etcd.process.send_signal(signal.SIGKILL)
        etcd.process.wait(timeout=10)
        wait_for(lambda: sum(getattr(a, "status_code", 0) == 504 for a in list(answers)) >= 20, 30,
                 "creates after the kill to be answered 504")
    finally:
        stop.set()
        for w in workers:
            w.join(timeout=90)
    try:
        assert not any(w.is_alive() for w in workers), "a create hung"
        codes = {getattr(a, "status_code", repr(a)) for a in answers}
        assert codes <= {201, 504}, f"only 201 or upstream's 504 Timeout, got {codes}"
        assert slowest[0] < 30, f"a create took {slowest[0]:.1f}s"
        assert_outage_answers(server, started_at_most=15)
    finally:
        etcd.start()
    assert_recovered(server, watch, etcd, timed_out_write_may_apply=False)
    watch.stop()
    names = {i["metadata"]["name"] for i in server.raw("GET", CONFIGMAPS).json()["items"]}
    missing = [n for n in acknowledged if n not in names]
    assert not missing, f"{len(missing)} acknowledged creates lost, e.g. {missing[:5]}"
    lost_in_etcd = [n for n in acknowledged[::10] if etcd.get(f"{server.prefix}/configmaps/default/{n}") is None]
    assert not lost_in_etcd, lost_in_etcd


def test_stopped_member_times_out_writes_then_recovers(on_etcd, etcd):
    """SIGSTOP: connections stay open but nothing answers, so only the probe's and the call's timeouts
    tell; the write is a 504 within the etcd call timeout (10 s), never a hang, and SIGCONT recovers."""
    server = on_etcd()
    assert server.raw("POST", CONFIGMAPS, configmap("before")).status_code == 201
    listed = server.raw("GET", CONFIGMAPS).json()["metadata"]["resourceVersion"]
    watch = WatchStream(server, CONFIGMAPS, {"watch": "1", "resourceVersion": listed})
    etcd.process.send_signal(signal.SIGSTOP)
    try:
        assert_outage_answers(server, started_at_most=25)
    finally:
        etcd.process.send_signal(signal.SIGCONT)
    assert_recovered(server, watch, etcd, timed_out_write_may_apply=True)
    watch.stop()
