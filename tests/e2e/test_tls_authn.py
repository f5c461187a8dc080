"""HTTPS and authentication as kube-apiserver serves them (issue 17): `serve --secure-port` with the
serving certificate the cluster CA signs, the kubeconfig Kubelite writes (CA data and the admin's client
certificate, CN kubernetes-admin in system:masters), and the authenticators: client certificates, the
static token file, service account tokens and anonymous. kubectl and the official Python client work
through it unchanged, upgrades (exec, port-forward) and watches included; every refused credential is
upstream's 401 Status. Bad certificates and tokens are made here with `cryptography`, signed by the
cluster's own keys (read from the data directory) where the case needs a genuine signer."""

import base64
import datetime
import json
import os
import shutil
import socket
import subprocess
import time

import pytest
import requests
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from kubernetes import client as k8s_client, watch as k8s_watch
from kubernetes.stream import portforward, stream

from support import Kubectl, Server, get_or_none, pod_is_ready, wait_for

needs_root = pytest.mark.skipif(os.geteuid() != 0 or shutil.which("unshare") is None or shutil.which("ip") is None,
                                reason="real pods need root, util-linux and iproute2 (pods are simulated otherwise)")

TOKEN_FILE = 'static-token-1,jane,1001,"devs,ops"\n'
UNAUTHORIZED = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": "Unauthorized", "reason": "Unauthorized", "code": 401}

ECHO_SERVER = """
import socket, sys, threading
print("echo ready", flush=True)
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 7007))
s.listen(8)
def echo(c):
    while (d := c.recv(65536)):
        c.sendall(d)
    c.close()
while True:
    c, _ = s.accept()
    threading.Thread(target=echo, args=(c,), daemon=True).start()
"""


@pytest.fixture(scope="module")
def secure(tmp_path_factory):
    """One kubelite serving HTTPS with a token file, its state (and so its pki) in a data directory."""
    workdir = tmp_path_factory.mktemp("tls-kubelite")
    (workdir / "tokens.csv").write_text(TOKEN_FILE)
    instance = Server(workdir, ["--secure-port", "0", "--token-auth-file", workdir / "tokens.csv",
                                "--data-dir", workdir / "data"]).start()
    yield instance
    assert instance.stop() == 0, instance.log_tail()


@pytest.fixture
def ns(secure, request):
    name = "tls-" + request.node.name.lower().replace("_", "-")[:40].strip("-")
    response = secure.raw("POST", "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
    assert response.status_code == 201, response.text
    yield name
    secure.raw("DELETE", f"/api/v1/namespaces/{name}")


@pytest.fixture
def kubectl(secure, tmp_path, ns):
    return Kubectl(secure, tmp_path / "cache", namespace=ns)


def pki(secure, name):
    return (secure.workdir / "data" / "pki" / name).read_bytes()


def ca(secure):
    return x509.load_pem_x509_certificate(pki(secure, "ca.crt")), serialization.load_pem_private_key(pki(secure, "ca.key"), None)


def client_certificate(tmp_path, name, issuer_cert, issuer_key, common_name="jane", days=(-1, 1)):
    """Writes a client certificate (and key) for `common_name`; self-signed when `issuer_cert` is None."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "devs"), x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (x509.CertificateBuilder().subject_name(subject)
               .issuer_name(issuer_cert.subject if issuer_cert is not None else subject)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now + datetime.timedelta(days=days[0])).not_valid_after(now + datetime.timedelta(days=days[1]))
               .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False))
    certificate = builder.sign(issuer_key if issuer_key is not None else key, hashes.SHA256())
    cert_path, key_path = tmp_path / f"{name}.crt", tmp_path / f"{name}.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return str(cert_path), str(key_path)


def whoami_raw(secure, **tls):
    """POSTs a SelfSubjectReview with the given `requests` TLS/header arguments (CA trust always)."""
    headers = tls.pop("headers", {})
    return requests.post(secure.url + "/apis/authentication.k8s.io/v1/selfsubjectreviews", timeout=10,
                         json={"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"},
                         verify=secure.tls["verify"], headers=headers, **tls)


def token_kubeconfig(secure, tmp_path, token):
    """A kubeconfig with the server's CA and a bearer token, no client certificate."""
    config = yaml.safe_load(secure.kubeconfig.read_text())
    config["users"][0]["user"] = {"token": token}
    path = tmp_path / f"kubeconfig-{abs(hash(token))}"
    path.write_text(yaml.safe_dump(config))
    return path


def kubectl_with(kubeconfig, *args, tmp_path):
    return subprocess.run(["kubectl", f"--cache-dir={tmp_path / 'cache'}", *args], capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, KUBECONFIG=str(kubeconfig)))


def sign_jwt(claims, private_key, kid="x"):
    def segment(value):
        return base64.urlsafe_b64encode(json.dumps(value, separators=(",", ":")).encode()).rstrip(b"=").decode()
    signing_input = f"{segment({'alg': 'RS256', 'kid': kid})}.{segment(claims)}"
    signature = private_key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return signing_input + "." + base64.urlsafe_b64encode(signature).rstrip(b"=").decode()


# ---- the kubeconfig and who it authenticates as ----

def test_kubeconfig_carries_https_the_ca_and_the_admin_certificate(secure):
    config = yaml.safe_load(secure.kubeconfig.read_text())
    assert secure.url.startswith("https://127.0.0.1:")
    ca_pem = base64.b64decode(config["clusters"][0]["cluster"]["certificate-authority-data"])
    assert ca_pem == pki(secure, "ca.crt")
    admin = x509.load_pem_x509_certificate(base64.b64decode(config["users"][0]["user"]["client-certificate-data"]))
    assert admin.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "kubernetes-admin"
    assert admin.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "system:masters"
    assert admin.issuer == x509.load_pem_x509_certificate(ca_pem).subject
    serving = x509.load_pem_x509_certificate(pki(secure, "apiserver.crt"))
    names = serving.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert {"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
            "kubernetes.default.svc.cluster.local"} <= set(names.get_values_for_type(x509.DNSName))
    assert {"127.0.0.1", "10.96.0.1"} <= {str(a) for a in names.get_values_for_type(x509.IPAddress)}
    assert (secure.kubeconfig.stat().st_mode & 0o777) == 0o600
    # Plain HTTP on the secure port is refused by the TLS layer, not served.
    with pytest.raises(requests.RequestException):
        requests.get(secure.url.replace("https://", "http://") + "/version", timeout=5)


def test_kubectl_auth_whoami_is_the_admin(kubectl):
    answer = kubectl.json("auth", "whoami")
    assert answer["status"]["userInfo"] == {"username": "kubernetes-admin", "groups": ["system:masters", "system:authenticated"]}


def test_serving_certificate_is_kept_across_restarts(tmp_path):
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    first = Server(tmp_path / "one", ["--secure-port", "0", "--data-dir", tmp_path / "data"]).start()
    served = (tmp_path / "data" / "pki" / "apiserver.crt").read_bytes()
    kubeconfig = first.kubeconfig.read_text()
    assert first.stop() == 0
    again = Server(tmp_path / "two", ["--secure-port", "0", "--data-dir", tmp_path / "data"]).start()
    try:
        assert (tmp_path / "data" / "pki" / "apiserver.crt").read_bytes() == served
        assert yaml.safe_load(again.kubeconfig.read_text())["users"] == yaml.safe_load(kubeconfig)["users"]
        assert again.raw("GET", "/version").status_code == 200
    finally:
        assert again.stop() == 0


# ---- kubectl and the Python client over HTTPS ----

def test_kubectl_create_get_and_watch(kubectl, secure, ns):
    watcher = subprocess.Popen(["kubectl", f"--cache-dir={kubectl.cache_dir}", f"--namespace={ns}", "get", "configmaps",
                                "--watch", "--output-watch-events", "-o", "json"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=dict(os.environ, KUBECONFIG=str(secure.kubeconfig)))
    try:
        kubectl("create", "configmap", "over-tls", "--from-literal=k=v")
        assert kubectl.json("get", "configmap", "over-tls")["data"] == {"k": "v"}
        seen = []

        def added():
            line = watcher.stdout.readline()
            seen.append(line)
            return '"over-tls"' in line
        wait_for(added, 30, "kubectl get --watch to report the new ConfigMap over HTTPS")
    finally:
        watcher.terminate()
        watcher.communicate(timeout=10)


def test_python_client_with_the_written_kubeconfig(secure, ns):
    api_client = secure.api_client()
    try:
        core = k8s_client.CoreV1Api(api_client)
        core.create_namespaced_config_map(ns, {"metadata": {"name": "py"}, "data": {"a": "b"}})
        assert core.read_namespaced_config_map("py", ns).data == {"a": "b"}
        events = k8s_watch.Watch().stream(core.list_namespaced_config_map, ns, timeout_seconds=10)
        names = [event["object"].metadata.name for event in events if event["type"] == "ADDED"]
        assert "py" in names
        review = k8s_client.AuthenticationV1Api(api_client).create_self_subject_review({"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"})
        assert review.status.user_info.username == "kubernetes-admin"
    finally:
        api_client.close()


@pytest.fixture
def echo_pod(kubectl):
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "echo"},
           "spec": {"containers": [{"name": "echo", "image": "python", "command": ["python3", "-u", "-c", ECHO_SERVER],
                                    "readinessProbe": {"tcpSocket": {"port": 7007}, "periodSeconds": 1}}]}}
    kubectl("apply", "-f", "-", input=json.dumps(pod))
    wait_for(lambda: (p := get_or_none(kubectl, "pod", "echo")) and pod_is_ready(p), 60, "pod echo Ready", interval=0.2)
    return "echo"


@needs_root
def test_exec_logs_and_port_forward_over_https(kubectl, secure, ns, echo_pod):
    assert kubectl("exec", echo_pod, "--", "echo", "through TLS") == "through TLS\n"
    result = kubectl.run("exec", echo_pod, "--", "sh", "-c", "exit 3")
    assert result.returncode == 3, result.stderr
    wait_for(lambda: "echo ready" in kubectl("logs", echo_pod), 20, "the pod's log over HTTPS")
    # The Python client's exec (WebSocket v4 over TLS).
    api_client = secure.api_client()
    try:
        out = stream(k8s_client.CoreV1Api(api_client).connect_get_namespaced_pod_exec, echo_pod, ns,
                     command=["echo", "python"], stdout=True, stderr=True, stdin=False, tty=False)
        assert out == "python\n"
        forward = portforward(k8s_client.CoreV1Api(api_client).connect_get_namespaced_pod_portforward, echo_pod, ns, ports="7007")
        sock = forward.socket(7007)
        sock.settimeout(10)
        sock.sendall(b"ping-py")
        assert sock.recv(100) == b"ping-py"
        sock.close()
    finally:
        api_client.close()
    # kubectl port-forward (SPDY inside a WebSocket, over TLS).
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        local = probe.getsockname()[1]
    forwarder = subprocess.Popen(["kubectl", f"--cache-dir={kubectl.cache_dir}", f"--namespace={ns}", "port-forward",
                                  echo_pod, f"{local}:7007"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                 env=dict(os.environ, KUBECONFIG=str(secure.kubeconfig)))
    try:
        wait_for(lambda: forwarder.poll() is None and "Forwarding from" in forwarder.stdout.readline(), 20,
                 "kubectl port-forward listening")
        with socket.create_connection(("127.0.0.1", local), timeout=10) as conn:
            conn.sendall(b"ping-kubectl")
            assert conn.recv(100) == b"ping-kubectl"
    finally:
        forwarder.terminate()
        forwarder.communicate(timeout=10)


# ---- other authenticators ----

def test_token_file_user_authenticates(secure, tmp_path):
    result = kubectl_with(token_kubeconfig(secure, tmp_path, "static-token-1"), "auth", "whoami", "-o", "json", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["status"]["userInfo"] == {
        "username": "jane", "uid": "1001", "groups": ["devs", "ops", "system:authenticated"]}


def test_service_account_token_authenticates_until_the_account_is_deleted(secure, kubectl, ns, tmp_path):
    kubectl("create", "serviceaccount", "robot")
    token = kubectl("create", "token", "robot").strip()
    config = token_kubeconfig(secure, tmp_path, token)
    result = kubectl_with(config, "auth", "whoami", "-o", "json", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    user = json.loads(result.stdout)["status"]["userInfo"]
    assert user["username"] == f"system:serviceaccount:{ns}:robot"
    assert user["groups"] == ["system:serviceaccounts", f"system:serviceaccounts:{ns}", "system:authenticated"]
    assert user["uid"] == kubectl.json("get", "serviceaccount", "robot")["metadata"]["uid"]
    kubectl("delete", "serviceaccount", "robot")
    refused = kubectl_with(config, "get", "pods", "-n", ns, tmp_path=tmp_path)
    assert refused.returncode == 1
    assert "error: You must be logged in to the server (Unauthorized)" in refused.stderr
    answer = whoami_raw(secure, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 401 and answer.json() == UNAUTHORIZED


def test_no_credential_is_anonymous(secure):
    # Under RBAC (the default over HTTPS) only authenticated users may ask who they are (system:basic-user),
    # so the refusal names the anonymous user.
    answer = whoami_raw(secure)
    assert answer.status_code == 403
    assert answer.json()["message"] == (
        'selfsubjectreviews.authentication.k8s.io is forbidden: User "system:anonymous" cannot create resource '
        '"selfsubjectreviews" in API group "authentication.k8s.io" at the cluster scope')


# ---- bad input: each refused with upstream's 401 Status ----

def test_bad_client_certificates_are_401(secure, tmp_path):
    ca_cert, ca_key = ca(secure)
    good = client_certificate(tmp_path, "good", ca_cert, ca_key)
    answer = whoami_raw(secure, cert=good)
    assert answer.status_code == 201
    assert answer.json()["status"]["userInfo"] == {"username": "jane", "groups": ["devs", "system:authenticated"]}
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    other_ca = (x509.CertificateBuilder().subject_name(ca_cert.subject).issuer_name(ca_cert.subject)
                .public_key(other_key.public_key()).serial_number(1)
                .not_valid_before(datetime.datetime(2020, 1, 1)).not_valid_after(datetime.datetime(2040, 1, 1))
                .sign(other_key, hashes.SHA256()))
    cases = {
        "expired": client_certificate(tmp_path, "expired", ca_cert, ca_key, days=(-10, -1)),
        "not yet valid": client_certificate(tmp_path, "future", ca_cert, ca_key, days=(1, 10)),
        # Same issuer name as the cluster CA, another key: only the signature tells them apart.
        "wrong CA": client_certificate(tmp_path, "wrong-ca", other_ca, other_key),
        "self-signed": client_certificate(tmp_path, "self-signed", None, None),
    }
    for case, cert in cases.items():
        answer = whoami_raw(secure, cert=cert)
        assert answer.status_code == 401, f"{case}: {answer.status_code} {answer.text}"
        assert answer.json() == UNAUTHORIZED, case


def test_bad_tokens_are_401(secure, kubectl, ns):
    kubectl("create", "serviceaccount", "signer-check")
    uid = kubectl.json("get", "serviceaccount", "signer-check")["metadata"]["uid"]
    sa_key = serialization.load_pem_private_key(pki(secure, "sa.key"), None)
    now = int(time.time())
    claims = {"aud": ["https://kubernetes.default.svc.cluster.local"], "iss": "https://kubernetes.default.svc.cluster.local",
              "sub": f"system:serviceaccount:{ns}:signer-check", "iat": now - 60, "nbf": now - 60, "exp": now + 600,
              "kubernetes.io": {"namespace": ns, "serviceaccount": {"name": "signer-check", "uid": uid}}}
    # The same claims signed with the cluster's key are good, which makes the refusals below meaningful.
    good = whoami_raw(secure, headers={"Authorization": f"Bearer {sign_jwt(claims, sa_key)}"})
    assert good.status_code == 201, good.text
    assert good.json()["status"]["userInfo"]["username"] == f"system:serviceaccount:{ns}:signer-check"
    expired = dict(claims, iat=now - 7200, nbf=now - 7200, exp=now - 3600)
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    wrong_audience = dict(claims, aud=["https://elsewhere.example"])
    cases = {
        "malformed": "not-a-jwt",
        "three garbage segments": "a.b.c",
        "expired": sign_jwt(expired, sa_key),
        "wrongly signed": sign_jwt(claims, other_key),
        "wrong audience": sign_jwt(wrong_audience, sa_key),
        "unknown static token": "static-token-2",
    }
    for case, token in cases.items():
        answer = whoami_raw(secure, headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 401, f"{case}: {answer.status_code} {answer.text}"
        assert answer.json() == UNAUTHORIZED, case


def test_anonymous_auth_off_refuses_requests_without_credentials(start_server):
    locked = start_server("--secure-port", "0", "--anonymous-auth=false")
    assert locked.raw("GET", "/api/v1/namespaces").status_code == 200  # the admin certificate
    answer = requests.get(locked.url + "/api/v1/namespaces", verify=locked.tls["verify"], timeout=10)
    assert answer.status_code == 401
    assert answer.json() == UNAUTHORIZED
