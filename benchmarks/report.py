"""Renders a run's figures as BENCHMARKS.md: the machine and the command, the targets table, then one
section per benchmark, then the hand-written analysis (benchmarks/NOTES.md). Every figure is a median
over the run's repetitions; a figure nobody measured renders as "—" and is noted missing."""
import os, platform, re, subprocess, time

import attacks, connection_flood, customresources, durable, etcd, floods, fuzz, realpods, statefulset, throughput, tls, traffic, watch
from figures import fmt
from targets import targets, verdict


def machine(workdir):
    with open("/proc/cpuinfo") as f:
        m = re.search(r"model name\s*:\s*(.+)", f.read())
    cpu = m.group(1).strip() if m else "unknown CPU"
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    fs = subprocess.run(["df", "--output=fstype", workdir], capture_output=True, text=True).stdout.split()[-1:]
    return f"{os.cpu_count()} cores ({cpu}), {memory:.0f} GiB, {platform.platform()}; durable stores on {''.join(fs)}"


def tool_version(argv):
    try:
        return subprocess.run(argv, capture_output=True, text=True).stdout.splitlines()[0]
    except (OSError, IndexError):
        return "unknown"


def header(context, command, load_before, load_after):
    s = context.settings
    mode = "Short mode (CI): sizes reduced, one 1 s run each; speed verdicts mean nothing here. " if s.short else ""
    return ["# Benchmarks", "",
            f"Measured {time.strftime('%Y-%m-%d %H:%M %Z')} on {machine(context.workdir.path)}.",
            f"Load average (1, 5, 15 min) {', '.join(f'{x:.2f}' for x in load_before)} before the run, "
            f"{', '.join(f'{x:.2f}' for x in load_after)} after.",
            f"Command: `{command}`. {mode}Every figure is the median of {s.runs} run(s); wrk runs last {s.seconds} s "
            f"with one thread and 50 connections unless said, on the same machine as the server. "
            f"{tool_version(['wrk', '--version'])}; {tool_version(['etcd', '--version'])}.", ""]


def targets_section(context):
    lines = ["## Targets (issues 7, 12, 13, 17, 18 and 19)", "", "| target | goal | measured | verdict |", "| --- | --- | ---: | --- |"]
    for t in targets(context.settings):
        measured, judged = verdict(t, context.figures, context.settings.short)
        lines.append(f"| {t.name} | {t.goal} | {measured} | {judged} |")
    return lines + [""]


def requests_section(f):
    baseline = f.get("rps:baseline")
    lines = ["## Requests (in-memory store)", "",
             "Ratios are to the minimal libmicrohttpd handler (`benchmarks/baseline/minimal.c`) measured in the same run.", "",
             "| benchmark | requests/s | p99 | vs baseline |", "| --- | ---: | ---: | ---: |"]
    for key, label in throughput.ROWS:
        rps = f.get(f"rps:{key}")
        share = rps / baseline if rps is not None and baseline else None
        lines.append(f"| {label} | {fmt(rps, '{:,.0f}')} | {fmt(f.get(f'p99:{key}'), '{:.2f} ms')} | {fmt(share, '{:.0%}')} |")
    return lines + [""]


def durable_section(f):
    lines = ["## Durable writes (`--data-dir`, answered after fsync)", "",
             "kubelite creates ConfigMaps and merge-patches one pod; etcd 3.4 (Debian `etcd-server`) puts one key "
             "through its JSON gateway (`/v3/kv/put`); both started in this run on the same disk, wrk at the same concurrency.", "",
             "| clients | kubelite creates/s | p99 | kubelite patches/s | p99 | etcd puts/s | p99 | creates ÷ etcd | patches ÷ etcd |",
             "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for c in durable.CLIENTS:
        create, patch, etcd = (f.get(f"rps:{k}-{c}") for k in ("durable-create", "durable-patch", "etcd-put"))
        row = [str(c)]
        for key, rps in (("durable-create", create), ("durable-patch", patch), ("etcd-put", etcd)):
            row += [fmt(rps, "{:,.0f}"), fmt(f.get(f"p99:{key}-{c}"), "{:.2f} ms")]
        for rps in (create, patch):
            row.append(fmt(rps / etcd if rps is not None and etcd else None, "{:.2f}"))
        lines.append("| " + " | ".join(row) + " |")
    return lines + [""]


def watch_section(context):
    f = context.figures
    lines = ["## Watch fan-out", "",
             "N idle watches on a fresh server, then one write; time until each watcher has the event (`benchmarks/watchers.c`). "
             "Memory per watcher: resident growth with the watches open, divided by N.", "",
             "| watchers | received | establish all | p50 | p99 | last | resident memory per watcher |",
             "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for n in watch.counts(context):
        k = f"watch-{n}"
        lines.append(f"| {n:,} | {fmt(f.get(k + '-received'), '{:,.0f}')} | {fmt(f.get(k + '-establish-ms'), '{:,.0f} ms')} | "
                     f"{fmt(f.get(k + '-p50-ms'), '{:.2f} ms')} | {fmt(f.get(k + '-p99-ms'), '{:.2f} ms')} | "
                     f"{fmt(f.get(k + '-max-ms'), '{:.2f} ms')} | {fmt(f.get(k + '-kib-per-watcher'), '{:.1f} KiB')} |")
    return lines + [""]


def statefulset_section(context):
    lines = ["## StatefulSet to fully Ready", "",
             "Zero simulated delay, one simulated node per 110 pods; create, then poll status every 10 ms.", "",
             "| podManagementPolicy | replicas | time to readyReplicas = replicas |", "| --- | ---: | ---: |"]
    for policy, replicas in statefulset.cases(context):
        lines.append(f"| {policy} | {replicas:,} | {fmt(context.figures.get(f'sts-{policy}-s'), '{:.2f} s')} |")
    return lines + [""]


def deployment_section(context):
    replicas = context.settings.parallel_replicas
    f = context.figures
    return ["## Deployment to fully available, then a rolling update", "",
            "Zero simulated delay, one simulated node per 110 pods; create, poll status every 10 ms until every "
            "replica is available; then change the image (RollingUpdate 25%/25%) and poll until every replica is "
            "updated and available and no old one is left.", "",
            "| replicas | create to available | rolling update |", "| ---: | ---: | ---: |",
            f"| {replicas:,} | {fmt(f.get('deploy-available-s'), '{:.2f} s')} | {fmt(f.get('deploy-rollout-s'), '{:.2f} s')} |", ""]


def startup_section(f):
    pods = f.get("restart-pods")
    return ["## Startup", "",
            "Process start to `/readyz` 200 (polled every millisecond). The restart is on a durable store whose pods were "
            "created through the API, then the server stopped.", "",
            "| store | time to /readyz 200 | resident after start |", "| --- | ---: | ---: |",
            f"| empty, in memory | {fmt(f.get('startup-memory-ms'), '{:.0f} ms')} | |",
            f"| empty, durable (new data directory) | {fmt(f.get('startup-durable-ms'), '{:.0f} ms')} | |",
            f"| durable restart, {fmt(pods, '{:,.0f}')} pods stored | {fmt(f.get('restart-s'), '{:.2f} s')} | "
            f"{fmt(f.get('restart-rss-mib'), '{:,.0f} MiB')} |", ""]


def memory_section(f):
    json_mib, rss = f.get("memory-json-mib"), f.get("memory-rss-mib")
    limit = None if json_mib is None else 2 * json_mib + 50
    return ["## Memory", "",
            "Pending pods (a schedulerName no scheduler serves, so no controller writes them) created through the API "
            "by wrk, 50 clients, on the in-memory store; resident size read 1 s after the last create. JSON size: the sum "
            "of each pod's compact JSON as a paged LIST returns it.", "",
            "| pods stored | their JSON | resident | limit (2 × JSON + 50 MiB) | resident ÷ JSON | creates/s while loading |",
            "| ---: | ---: | ---: | ---: | ---: | ---: |",
            f"| {fmt(f.get('memory-pods'), '{:,.0f}')} | {fmt(json_mib, '{:,.1f} MiB')} | {fmt(rss, '{:,.0f} MiB')} | "
            f"{fmt(limit, '{:,.0f} MiB')} | {fmt(rss / json_mib if rss and json_mib else None, '{:.1f}')} | "
            f"{fmt(f.get('memory-load-rate'), '{:,.0f}')} |", ""]


def connection_flood_section(context):
    f = context.figures
    idle, slow, requests, hung_up = connection_flood.sizes(context)
    limit = connection_flood.per_address_limit(context)
    return ["## Connection floods (issue 12)", "",
            f"Against an HTTPS kubelite (the only kind served beyond loopback), one non-loopback address opens "
            f"{slow:,} slow-header clients (TLS handshake, then a header byte a second) and {idle:,} idle sockets that "
            f"never start a handshake, against `--max-connections-per-ip {limit:,}`, while a loopback client asks `/readyz` {requests:,} times "
            f"over fresh connections, then {requests:,} times over one kept-alive connection. Then {hung_up:,} watches "
            "whose clients hang up, timed until the server's open descriptors are back to what they were before.", "",
            "| flood sockets refused | /readyz p50, new connections | p99, new connections | p99, kept alive | "
            f"{hung_up:,} hung-up watches released |",
            "| ---: | ---: | ---: | ---: | ---: |",
            f"| {fmt(f.get('flood-refused'), '{:,.0f}')} | {fmt(f.get('flood-new-p50-ms'), '{:.2f} ms')} | "
            f"{fmt(f.get('flood-new-p99-ms'), '{:.2f} ms')} | {fmt(f.get('flood-keepalive-p99-ms'), '{:.2f} ms')} | "
            f"{fmt(f.get(f'hangup-{hung_up}-release-ms'), '{:,.0f} ms')} |", ""]


def render(context, command, load_before, load_after, notes):
    f = context.figures
    lines = header(context, command, load_before, load_after) + targets_section(context)
    lines += requests_section(f) + tls.section(context) + durable_section(f) + etcd.section(context) + watch_section(context) + statefulset_section(context) + deployment_section(context)
    lines += realpods.section(context) + traffic.section(context) + startup_section(f) + customresources.section(context)
    lines += memory_section(f) + floods.section(context)
    lines += connection_flood_section(context) + attacks.section(context)
    if not context.settings.short:
        lines += fuzz.section(context)
    if notes:
        lines.append(notes.rstrip())
    return "\n".join(lines) + "\n"
