"""Schemathesis (PyPI, 4.x, installed into .build/bench/venv on first use) fuzzing the OpenAPI v3
documents kubelite serves, each against a fresh in-memory kubelite: long mode only (CI's --short
skips it). Bounded: at most MAX_EXAMPLES cases per operation and SECONDS_PER_DOCUMENT per document,
a fixed seed, requests to 127.0.0.1 only. The check is `not_a_server_error`: issue 12's target is no
5xx. Figures `fuzz-requests`, `fuzz-5xx`, `fuzz-failures` (schemathesis' failed checks), `fuzz-errors`
(network and runtime errors, e.g. a watch outliving the request timeout), `fuzz-server-ready` (1 if
/readyz still answers 200 afterwards); the 5xx by endpoint go in the figures' details."""
import collections, json, os, re, subprocess, sys, urllib.parse, urllib.request
import xml.etree.ElementTree as ElementTree

from harness import BenchmarkError, Kubelite, get_json

SCHEMATHESIS = "schemathesis==4.32.5"
DOCUMENTS = ["api/v1", "apis/apps/v1"]
MAX_EXAMPLES = 5
SECONDS_PER_DOCUMENT = 90
SEED = 1


def schemathesis(context):
    """The schemathesis executable of the benchmark venv, created and installed when missing."""
    venv = os.path.join(os.path.dirname(os.path.abspath(context.baseline)), "venv")
    binary = os.path.join(venv, "bin", "schemathesis")
    if not os.access(binary, os.X_OK):
        print(f"  installing {SCHEMATHESIS} into {venv}", flush=True)
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
        subprocess.run([os.path.join(venv, "bin", "pip"), "install", "-q", SCHEMATHESIS], check=True)
    return binary


def endpoint_patterns(document):
    """(regex, "path template") for each path of an OpenAPI document, the most literal first, so
    `/api/v1/namespaces/x/pods` is not taken for `/api/v1/namespaces/{name}/...` by accident."""
    patterns = [(re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)) + "$"), path)
                for path in document["paths"]]
    return sorted(patterns, key=lambda p: p[1].count("{"))


def endpoint(patterns, method, url):
    path = urllib.parse.urlsplit(url).path
    return f"{method} " + next((template for regex, template in patterns if regex.match(path)), path)


def server_errors(har_path, patterns):
    """(requests sent, Counter of 5xx by "METHOD template", one message per endpoint) from the HAR log."""
    with open(har_path) as f:
        entries = json.load(f)["log"]["entries"]
    errors, samples = collections.Counter(), {}
    for entry in entries:
        if entry["response"]["status"] >= 500:
            key = endpoint(patterns, entry["request"]["method"], entry["request"]["url"])
            errors[key] += 1
            body = entry["response"].get("content", {}).get("text", "")
            try:
                samples.setdefault(key, f"{entry['response']['status']} {json.loads(body).get('message', '')}")
            except ValueError:
                samples.setdefault(key, f"{entry['response']['status']} {body[:120]}")
    return len(entries), errors, samples


def junit_outcomes(junit_path):
    """(failed checks, Counter of errors by "kind: first detail line (operation)") from schemathesis'
    JUnit report, where each operation is a testcase."""
    root = ElementTree.parse(junit_path).getroot()
    failures = len(root.findall(".//failure"))
    errors = collections.Counter()
    for case in root.iter("testcase"):
        for error in case.findall("error"):
            lines = [line.strip() for line in (error.text or error.get("type", "error")).splitlines() if line.strip()]
            errors[f"{': '.join(lines[:2] + lines[2:][-1:])} ({case.get('name')})"] += 1
    return failures, errors


def fuzz_document(context, binary, name):
    server = Kubelite(context.kubelite)
    try:
        document = get_json(f"{server.base}/openapi/v3/{name}")
        har = os.path.join(context.workdir.path, f"fuzz-{name.replace('/', '-')}.har.json")
        junit = os.path.join(context.workdir.path, f"fuzz-{name.replace('/', '-')}.junit.xml")
        command = [binary, "run", f"{server.base}/openapi/v3/{name}", "--url", server.base,
                   "--checks", "not_a_server_error", "--max-examples", str(MAX_EXAMPLES),
                   "--max-time", str(SECONDS_PER_DOCUMENT), "--request-timeout", "5", "--seed", str(SEED),
                   "--no-shrink", "--generation-database", "none", "--workers", "2",
                   "--report", "har,junit", "--report-har-path", har, "--report-junit-path", junit]
        try:
            subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           timeout=SECONDS_PER_DOCUMENT * 3, cwd=context.workdir.path)
        except subprocess.TimeoutExpired:
            raise BenchmarkError(f"schemathesis over {name} outlived {SECONDS_PER_DOCUMENT * 3} s")
        if not os.path.exists(har) or not os.path.exists(junit):
            raise BenchmarkError(f"schemathesis over {name} wrote no report")
        requests, errors, samples = server_errors(har, endpoint_patterns(document))
        failures, run_errors = junit_outcomes(junit)
        ready = urllib.request.urlopen(f"{server.base}/readyz", timeout=5).status == 200
    finally:
        server.stop()
    return requests, errors, samples, failures, run_errors, ready


def run(context):
    if context.settings.short:
        print("  skipped in short mode", flush=True)
        return
    binary = schemathesis(context)
    figures = context.figures
    totals = collections.Counter()
    for name in DOCUMENTS:
        requests, errors, samples, failures, run_errors, ready = fuzz_document(context, binary, name)
        key = f"fuzz-{name}"
        figures.add(f"{key}-requests", requests)
        figures.add(f"{key}-5xx", sum(errors.values()))
        figures.add(f"{key}-failures", failures)
        figures.add(f"{key}-errors", sum(run_errors.values()))
        totals.update(requests=requests, server_errors=sum(errors.values()), failures=failures,
                      errors=sum(run_errors.values()), not_ready=not ready)
        figures.details[f"{key}-5xx"] = [(e, n, samples[e]) for e, n in errors.most_common()]
        figures.details[f"{key}-errors"] = sorted(run_errors.items())
        print(f"  {name:<14} {requests:,} requests, {sum(errors.values())} 5xx on {len(errors)} endpoints, "
              f"{failures} failed checks, errors {dict(run_errors)}, ready afterwards: {ready}", flush=True)
    figures.add("fuzz-requests", totals["requests"])
    figures.add("fuzz-5xx", totals["server_errors"])
    figures.add("fuzz-failures", totals["failures"])
    figures.add("fuzz-errors", totals["errors"])
    figures.add("fuzz-server-ready", 0 if totals["not_ready"] else 1)


def section(context):
    """The report's section (long mode only): per document the counts, then every endpoint that gave a 5xx."""
    f = context.figures
    lines = ["## Fuzzing the served OpenAPI (schemathesis)", "",
             f"`{SCHEMATHESIS}` over `/openapi/v3/<document>`, one fresh in-memory kubelite per document, check "
             f"`not_a_server_error`, at most {MAX_EXAMPLES} examples per operation and {SECONDS_PER_DOCUMENT} s per "
             f"document, seed {SEED}, 5 s request timeout.", "",
             "| document | requests | 5xx | failed checks | errors (network, runtime) |", "| --- | ---: | ---: | ---: | ---: |"]
    for name in DOCUMENTS:
        k = f"fuzz-{name}"
        row = [f.get(f"{k}-{x}") for x in ("requests", "5xx", "failures", "errors")]
        lines.append(f"| `{name}` | " + " | ".join("—" if v is None else f"{v:,.0f}" for v in row) + " |")
    ready = f.get("fuzz-server-ready")
    lines += ["", f"Server ready after each run: {'—' if ready is None else ('yes' if ready else '**no**')}.", ""]
    for name in DOCUMENTS:
        for endpoint_name, count, sample in f.details.get(f"fuzz-{name}-5xx", []):
            lines.append(f"- 5xx ×{count} `{endpoint_name}`: {sample[:200]}")
        for error, count in f.details.get(f"fuzz-{name}-errors", []):
            lines.append(f"- schemathesis error ×{count} over `{name}`: {error[:240]}")
    return lines + [""]
