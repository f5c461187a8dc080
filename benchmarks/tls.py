"""GET over HTTPS beside plain HTTP in the same run (issue 17): two kubelites from the same binary, one plain
(`--port`), one with `--secure-port` (GnuTLS through libmicrohttpd, the serving certificate the cluster CA
signs, a P-256 key), each serving the same pod; wrk GETs it with keep-alive (50 connections), then over
HTTPS with `Connection: close`, so every request is a new TCP connection and a full TLS handshake: that rate
is the handshake rate. A third kubelite serves plain HTTP with the HTTPS one's bearer token and RBAC, so the
two HTTPS comparisons show what TLS costs and what authorizing every request does. Figures
`rps:tls-get-http`, `rps:tls-get-http-rbac`, `rps:tls-get-https`, `p99:` of each, `rps:tls-handshake`."""
import json
import ssl
import tempfile
import urllib.request

from harness import BenchmarkError, Kubelite, Server, free_port, wrk
from figures import fmt


class SecureKubelite(Server):
    """kubelite in memory serving HTTPS on a free port with its defaults (RBAC), configured as harness.Kubelite.
    wrk presents no client certificate, so every request carries a static bearer token (`--token-auth-file`)
    of a system:masters user: each one is authenticated and authorized. Readiness and seeding skip certificate
    checks (the benchmark measures serving, not the client's trust)."""

    INSECURE = ssl._create_unverified_context()
    TOKEN = "benchmark-admin-token"
    AUTHORIZATION = f"Authorization: Bearer {TOKEN}"

    def __init__(self, binary, extra=()):
        self.port = free_port()
        self.base = f"https://127.0.0.1:{self.port}"
        self.tokens = tempfile.NamedTemporaryFile("w", suffix=".csv")
        self.tokens.write(f'{self.TOKEN},benchmark-admin,benchmark-admin,"system:masters"\n')
        self.tokens.flush()
        super().__init__([binary, "serve", "--secure-port", str(self.port), "--log-level", "error", "--dns-port=-1",
                          "--pod-runtime", "simulated", "--in-memory", "--token-auth-file", self.tokens.name, *extra],
                         self.base + "/readyz")

    def _ready(self, url):
        if self.proc.poll() is not None:
            raise BenchmarkError(f"server exited with status {self.proc.returncode} before it was ready")
        return urllib.request.urlopen(url, context=self.INSECURE).status == 200


def post(base, path, body, context=None, headers=()):
    request = urllib.request.Request(base + path, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json",
                                              **dict(h.split(": ", 1) for h in headers)})
    with urllib.request.urlopen(request, context=context) as answer:
        return answer.status


POD = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p-0"},
       "spec": {"containers": [{"name": "c", "image": "redis:7", "ports": [{"containerPort": 6379}]}]}}
NAMESPACE = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "bench"}}


def sample(context, key, url, **options):
    rps, p99 = wrk(url, context.settings.seconds, **options)
    context.figures.add(f"rps:{key}", rps)
    context.figures.add(f"p99:{key}", p99)


def run(context):
    """Both servers run side by side and are measured in turn, run after run: this machine's speed swings by
    a third between minutes, so figures taken one server after the other compare two different machines."""
    plain = Kubelite(context.kubelite)
    secure = authorized = None
    try:
        secure = SecureKubelite(context.kubelite)
        token = [SecureKubelite.AUTHORIZATION]
        # Plain HTTP, but every request authenticated by the same token and authorized by RBAC.
        authorized = Kubelite(context.kubelite, extra=["--token-auth-file", secure.tokens.name, "--authorization-mode", "RBAC"])
        post(plain.base, "/api/v1/namespaces", NAMESPACE)
        post(plain.base, "/api/v1/namespaces/bench/pods", POD)
        post(authorized.base, "/api/v1/namespaces", NAMESPACE, headers=token)
        post(authorized.base, "/api/v1/namespaces/bench/pods", POD, headers=token)
        post(secure.base, "/api/v1/namespaces", NAMESPACE, SecureKubelite.INSECURE, token)
        post(secure.base, "/api/v1/namespaces/bench/pods", POD, SecureKubelite.INSECURE, token)
        url = secure.base + "/api/v1/namespaces/bench/pods/p-0"
        request = urllib.request.Request(url, headers=dict(h.split(": ", 1) for h in token))
        with urllib.request.urlopen(request, context=SecureKubelite.INSECURE) as answer:
            if answer.status != 200:  # wrk would count refusals as answers
                raise BenchmarkError(f"GET over HTTPS answered {answer.status}")
        for _ in range(max(3, context.settings.runs)):
            sample(context, "tls-get-http", plain.base + "/api/v1/namespaces/bench/pods/p-0")
            sample(context, "tls-get-http-rbac", authorized.base + "/api/v1/namespaces/bench/pods/p-0", headers=token)
            sample(context, "tls-get-https", url, headers=token)
        for _ in range(context.settings.runs):
            sample(context, "tls-handshake", url, headers=token + ["Connection: close"])
        for key in ("tls-get-http", "tls-get-http-rbac", "tls-get-https", "tls-handshake"):
            print(f"  {key:<17} {context.figures.get('rps:' + key):>10,.0f} req/s", flush=True)
    finally:
        plain.stop()
        for server in (secure, authorized):
            if server:
                server.stop()


def section(context):
    f = context.figures
    http, https, handshakes = f.get("rps:tls-get-http"), f.get("rps:tls-get-https"), f.get("rps:tls-handshake")

    authorized = f.get("rps:tls-get-http-rbac")
    share = https / http if http and https is not None else None
    share_authorized = https / authorized if authorized and https is not None else None
    return ["## HTTPS (`--secure-port`)", "",
            "GET of one pod by name from kubelites running side by side, one plain HTTP, one HTTPS (GnuTLS through "
            "libmicrohttpd, P-256 serving key, TLS 1.3, RBAC; each request authenticated by a bearer token of a "
            "system:masters user), measured in turn three times or more (medians); wrk keeps its 50 connections alive. "
            "The handshake row sends "
            "`Connection: close`: every request is a new connection and a full handshake.", "",
            "A third kubelite serves plain HTTP with the same bearer token and RBAC (`--token-auth-file`, "
            "`--authorization-mode RBAC`): HTTPS against it is what TLS alone costs.", "",
            "| benchmark | requests/s | p99 | vs plain HTTP | vs plain HTTP with token and RBAC |",
            "| --- | ---: | ---: | ---: | ---: |",
            f"| GET pod, plain HTTP, keep-alive | {fmt(http, '{:,.0f}')} | {fmt(f.get('p99:tls-get-http'), '{:.2f} ms')} | 100% | |",
            f"| GET pod, plain HTTP with token and RBAC, keep-alive | {fmt(authorized, '{:,.0f}')} | "
            f"{fmt(f.get('p99:tls-get-http-rbac'), '{:.2f} ms')} | {fmt(authorized / http if http and authorized is not None else None, '{:.0%}')} | 100% |",
            f"| GET pod, HTTPS, keep-alive | {fmt(https, '{:,.0f}')} | {fmt(f.get('p99:tls-get-https'), '{:.2f} ms')} | "
            f"{fmt(share, '{:.0%}')} | {fmt(share_authorized, '{:.0%}')} |",
            f"| GET pod, HTTPS, new connection each (handshakes/s) | {fmt(handshakes, '{:,.0f}')} | "
            f"{fmt(f.get('p99:tls-handshake'), '{:.2f} ms')} | | |", ""]
