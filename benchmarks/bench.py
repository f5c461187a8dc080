#!/usr/bin/env python3
"""Runs the benchmark suite (benchmarks/run builds the binaries and calls this) and writes
BENCHMARKS.md. Each benchmark module adds samples to the run's figures; the report shows medians,
ratios to the baselines and the issue's targets judged from them. Exits non-zero when a benchmark
fails or a figure the report needs was not measured, in every mode (CI runs --short for exactly
that). Standard library only."""
import argparse, os, resource, shutil, sys, time, traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import attacks, connection_flood, customresources, deployment, durable, etcd, floods, fuzz, memory, realpods, report, startup, statefulset, throughput, tls, traffic, watch  # noqa: E402
from figures import Context, Figures, Settings  # noqa: E402
from harness import Workdir  # noqa: E402

BENCHMARKS = [
    ("requests", throughput.run),
    ("tls", tls.run),
    ("durable", durable.run),
    ("etcd", etcd.run),
    ("watch", watch.run),
    ("statefulset", statefulset.run),
    ("realpods", realpods.run),
    ("traffic", traffic.run),
    ("deployment", deployment.run),
    ("startup", startup.run),
    ("customresources", customresources.run),
    ("memory", memory.run),
    ("floods", floods.run),
    ("fuzz", fuzz.run),
    ("connection-flood", connection_flood.run),
    ("attacks", attacks.run),
]


def arguments():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--kubelite", required=True)
    ap.add_argument("--baseline", required=True, help="the minimal libmicrohttpd handler")
    ap.add_argument("--watchers", required=True, help="the watch fan-out client (watchers.c)")
    ap.add_argument("--short", action="store_true", help="CI mode: small sizes, one 1 s run each; report to .build/bench")
    ap.add_argument("--runs", type=int, default=3, help="repetitions per figure; the report shows medians")
    ap.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    ap.add_argument("--objects", type=int, default=0, help="pods for the memory and restart benchmarks (100,000; short 1,000)")
    ap.add_argument("--only", default="", help="comma-separated subset of: " + ", ".join(n for n, _ in BENCHMARKS))
    ap.add_argument("--output", default=None, help="report file (default BENCHMARKS.md; short or --only: .build/bench/)")
    ap.add_argument("--command", default="benchmarks/run", help="the command line recorded in the report")
    return ap.parse_args()


def selected(only):
    names = [n for n in only.split(",") if n]
    unknown = set(names) - {n for n, _ in BENCHMARKS}
    if unknown:
        raise SystemExit(f"unknown benchmarks: {', '.join(sorted(unknown))}")
    return [(n, run) for n, run in BENCHMARKS if not names or n in names]


def run_all(context, benchmarks):
    """Runs each benchmark; returns the names of those that failed (the others still run)."""
    failed = []
    for name, run in benchmarks:
        print(f"== {name}", flush=True)
        start = time.monotonic()
        try:
            run(context)
        except Exception:
            traceback.print_exc()
            failed.append(name)
        print(f"   ({time.monotonic() - start:.0f} s)", flush=True)
    return failed


def main():
    args = arguments()
    benchmarks = selected(args.only)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # servers and watchers.c inherit it
    settings = Settings.make(args.short, args.runs, args.duration, args.objects)
    build = os.path.dirname(os.path.abspath(args.baseline))
    workdir = Workdir(os.path.join(build, f"work-{os.getpid()}"))
    context = Context(settings, Figures(), workdir, args.kubelite, args.baseline, args.watchers)
    load_before = os.getloadavg()
    try:
        failed = run_all(context, benchmarks)
        notes_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "NOTES.md")
        notes = "" if args.short or args.only else open(notes_path).read()
        text = report.render(context, args.command, load_before, os.getloadavg(), notes)
    finally:
        shutil.rmtree(workdir.path, ignore_errors=True)
    partial = args.short or bool(args.only)
    output = args.output or (os.path.join(build, "BENCHMARKS.short.md" if args.short else "BENCHMARKS.partial.md")
                             if partial else "BENCHMARKS.md")
    with open(output, "w") as f:
        f.write(text)
    if args.short:
        print(text)
    print(f"wrote {output}")
    missing = [] if args.only else context.figures.missing
    if failed or missing:
        print(f"FAILED: benchmarks {', '.join(failed) or 'none'}; figures not measured: {', '.join(missing) or 'none'}")
        sys.exit(1)


if __name__ == "__main__":
    main()
