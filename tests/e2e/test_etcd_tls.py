"""Kubelite on an etcd that serves https only and requires client certificates (kube-apiserver's
--etcd-cafile, --etcd-certfile, --etcd-keyfile): certificates made here with the openssl CLI."""

import subprocess

import pytest

from support import kubelite_binary, wait_for
from etcd_cluster import Etcd
from test_etcd_storage import WatchStream, configmap, on_etcd  # noqa: F401 (on_etcd: fixture)

CONFIGMAPS = "/api/v1/namespaces/default/configmaps"


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_ca(directory, name):
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", f"{name}.key", "-out", f"{name}.crt", "-days", "1", "-subj", f"/CN={name}", cwd=directory)
    return directory / f"{name}.crt"


def make_certificate(directory, ca, name, extensions):
    """A certificate for `name` signed by the CA `ca` (its .crt and .key in `directory`)."""
    (directory / f"{name}.ext").write_text(extensions)
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", f"/CN={name}", cwd=directory)
    openssl("x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.crt", "-CAkey", f"{ca}.key", "-CAcreateserial",
            "-out", f"{name}.crt", "-days", "1", "-extfile", f"{name}.ext", cwd=directory)
    return str(directory / f"{name}.crt"), str(directory / f"{name}.key")


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    directory = tmp_path_factory.mktemp("etcd-pki")
    make_ca(directory, "etcd-ca")
    make_ca(directory, "other-ca")
    server = make_certificate(directory, "etcd-ca", "etcd-server",
                              "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n")
    client = make_certificate(directory, "etcd-ca", "kube-apiserver-etcd-client", "extendedKeyUsage=clientAuth\n")
    return {"ca": str(directory / "etcd-ca.crt"), "other_ca": str(directory / "other-ca.crt"),
            "server": server, "client": client}


@pytest.fixture(scope="module")
def etcd(pki):
    member = Etcd(tls={"ca": pki["ca"], "cert": pki["server"][0], "key": pki["server"][1]}, client=pki["client"])
    try:
        member.start()
        yield member
    finally:
        member.remove()


def tls_flags(pki, ca=None):
    return ["--etcd-cafile", ca or pki["ca"], "--etcd-certfile", pki["client"][0], "--etcd-keyfile", pki["client"][1]]


def test_kubelite_works_through_an_etcd_requiring_client_certificates(on_etcd, etcd, pki):
    assert etcd.url.startswith("https://")
    server = on_etcd(args=tls_flags(pki))
    listed = server.raw("GET", CONFIGMAPS).json()["metadata"]["resourceVersion"]
    stream = WatchStream(server, CONFIGMAPS, {"watch": "1", "resourceVersion": listed})
    try:
        created = server.raw("POST", CONFIGMAPS, configmap("over-tls"))
        assert created.status_code == 201, created.text
        stored, revision = etcd.get(f"{server.prefix}/configmaps/default/over-tls")
        assert stored["data"] == {"v": "1"}
        assert created.json()["metadata"]["resourceVersion"] == str(revision)
        wait_for(lambda: [t for t, _ in stream.of("over-tls")] == ["ADDED"], 20, "the watch (fed over TLS) to report it")
    finally:
        stream.stop()
    verbose = server.raw("GET", "/readyz", params={"verbose": "1"})
    assert verbose.status_code == 200 and "[+]etcd ok" in verbose.text


def start_failing(tmp_path, etcd, args):
    """Runs `kubelite serve` expecting it to stop at startup; returns its output."""
    command = [kubelite_binary(), "serve", "--secure-port", "0", "--bind-address", "127.0.0.1", "--dns-port", "0",
               "--kubeconfig", str(tmp_path / "kubeconfig"), "--data-dir", str(tmp_path / "data"),
               "--etcd-servers", etcd.url, "--etcd-prefix", "/e2e-refused", *args]
    finished = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert finished.returncode != 0, finished.stdout + finished.stderr
    return finished.stdout + finished.stderr


def test_an_etcd_certificate_from_another_ca_is_refused_at_startup(etcd, pki, tmp_path):
    output = start_failing(tmp_path, etcd, tls_flags(pki, ca=pki["other_ca"]))
    assert "cannot start the etcd store" in output and "certificate is not trusted" in output, output
    assert "signer not found" in output or "issuer is unknown" in output, output


def test_no_client_certificate_is_refused_by_etcd(etcd, pki, tmp_path):
    output = start_failing(tmp_path, etcd, ["--etcd-cafile", pki["ca"]])
    assert "cannot start the etcd store" in output, output
