"""Encryption at rest (--encryption-provider-config): Secrets reach the SQLite file only as upstream's
`k8s:enc:<provider>:v1:<key>:` values, which independent implementations (cryptography, PyNaCl) open;
kubectl reads them back across a restart; a key rotation re-encrypts on rewrite; a store whose key is
gone refuses to start instead of serving without it."""

import base64
import json
import os
import sqlite3
import subprocess
from contextlib import closing

import pytest
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from nacl.secret import SecretBox

from support import Kubectl, Server, kubelite_binary

KEY1 = bytes(range(32))
KEY2 = bytes(range(32, 64))


def write_config(path, providers):
    lines = ["apiVersion: apiserver.config.k8s.io/v1", "kind: EncryptionConfiguration", "resources:",
             "  - resources: [secrets]", "    providers:"]
    for kind, keys in providers:
        if kind == "identity":
            lines.append("      - identity: {}")
            continue
        lines.append(f"      - {kind}:")
        lines.append("          keys:")
        for name, secret in keys:
            lines.append(f"            - name: {name}")
            lines.append(f"              secret: {base64.b64encode(secret).decode()}")
    path.write_text("\n".join(lines) + "\n")
    return path


def stored_values(data_dir, name):
    """Every value the durable log holds for secret `name` in default, newest last."""
    # closing(): sqlite3's own context manager ends the transaction but keeps the file open (and locked
    # against the next kubelite).
    with closing(sqlite3.connect(f"file:{data_dir}/kubelite.db?mode=ro", uri=True)) as db:
        tables = [r[0] for r in db.execute("select name from sqlite_master where type='table'")]
        for table in tables:
            columns = [r[1] for r in db.execute(f"pragma table_info({table})")]
            if "value" in columns and "name" in columns:
                rows = db.execute(f"select value from {table} where name = ? and namespace = 'default' order by revision",
                                  (name,)).fetchall()
                if rows:
                    return [bytes(r[0]) for r in rows]
    return []


def open_aescbc(value, key):
    iv, ciphertext = value[:16], value[16:]
    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    padded = decryptor.update(ciphertext) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    return unpadder.update(padded) + unpadder.finalize()


def open_aesgcm(value, key, path):
    return AESGCM(key).decrypt(value[:12], value[12:], path.encode())


def open_secretbox(value, key):
    return SecretBox(key).decrypt(value[24:], value[:24])


@pytest.fixture
def data_dir(tmp_path):
    path = tmp_path / "data"
    path.mkdir()
    return path


def start(tmp_path, data_dir, config, run):
    (tmp_path / run).mkdir()
    return Server(tmp_path / run, ["--data-dir", data_dir, "--encryption-provider-config", config]).start()


@pytest.mark.parametrize("provider", ["aescbc", "aesgcm", "secretbox"])
def test_secrets_are_stored_in_upstreams_format_and_read_back_after_a_restart(tmp_path, data_dir, provider):
    config = write_config(tmp_path / "encryption.yaml", [(provider, [("key1", KEY1)]), ("identity", [])])
    server = start(tmp_path, data_dir, config, "a")
    kubectl = Kubectl(server, tmp_path / "cache", namespace="default")
    try:
        kubectl("create", "secret", "generic", "db", "--from-literal=password=hunter2-at-rest")
        kubectl("create", "configmap", "plain", "--from-literal=note=not-encrypted")
    finally:
        assert server.stop() == 0

    values = stored_values(data_dir, "db")
    assert values, "the secret's row is in the log"
    prefix = f"k8s:enc:{provider}:v1:key1:".encode()
    assert values[-1].startswith(prefix), values[-1][:40]
    sealed = values[-1][len(prefix):]
    opened = {"aescbc": lambda: open_aescbc(sealed, KEY1),
              "aesgcm": lambda: open_aesgcm(sealed, KEY1, "/registry/secrets/default/db"),
              "secretbox": lambda: open_secretbox(sealed, KEY1)}[provider]()
    secret = json.loads(opened)
    assert base64.b64decode(secret["data"]["password"]) == b"hunter2-at-rest"
    assert json.loads(stored_values(data_dir, "plain")[-1])["data"]["note"] == "not-encrypted"
    for file in (f for f in data_dir.rglob("*") if f.is_file()):
        assert b"hunter2-at-rest" not in file.read_bytes() and base64.b64encode(b"hunter2-at-rest") not in file.read_bytes()

    server = start(tmp_path, data_dir, config, "b")
    try:
        password = Kubectl(server, tmp_path / "cache", namespace="default")(
            "get", "secret", "db", "-o", "jsonpath={.data.password}")
        assert base64.b64decode(password) == b"hunter2-at-rest"
    finally:
        server.stop()


def test_rotation_encryption_of_existing_data_and_a_missing_key(tmp_path, data_dir):
    # Written before encryption was on: plaintext, still readable through the identity fallback.
    (tmp_path / "plain").mkdir()
    plain = Server(tmp_path / "plain", ["--data-dir", data_dir]).start()
    try:
        Kubectl(plain, tmp_path / "cache", namespace="default")("create", "secret", "generic", "old", "--from-literal=k=v1")
    finally:
        plain.stop()
    assert stored_values(data_dir, "old")[-1].startswith(b"{")

    first = write_config(tmp_path / "first.yaml", [("aesgcm", [("one", KEY1)]), ("identity", [])])
    server = start(tmp_path, data_dir, first, "first")
    kubectl = Kubectl(server, tmp_path / "cache", namespace="default")
    try:
        assert kubectl("get", "secret", "old", "-o", "jsonpath={.data.k}") == base64.b64encode(b"v1").decode()
        # The documented way to encrypt what exists: rewrite every Secret.
        secrets = kubectl("get", "secrets", "-o", "json")
        kubectl("replace", "-f", "-", input=secrets)
    finally:
        server.stop()
    assert stored_values(data_dir, "old")[-1].startswith(b"k8s:enc:aesgcm:v1:one:")

    # Rotation: a new first key, the old one kept for reading; identity is dropped (the plaintext rows
    # left in the log are superseded history, so the store opens without them).
    rotated = write_config(tmp_path / "rotated.yaml", [("aesgcm", [("two", KEY2), ("one", KEY1)])])
    server = start(tmp_path, data_dir, rotated, "rotated")
    kubectl = Kubectl(server, tmp_path / "cache", namespace="default")
    try:
        kubectl("label", "secret", "old", "rotated=yes")
    finally:
        server.stop()
    assert stored_values(data_dir, "old")[-1].startswith(b"k8s:enc:aesgcm:v1:two:")

    # Without the key, the store does not start: nothing is served without it, nothing is lost.
    wrong = write_config(tmp_path / "wrong.yaml", [("aesgcm", [("two", KEY1)])])
    result = subprocess.run([kubelite_binary(), "serve", "--port", "0", "--bind-address", "127.0.0.1", "--dns-port", "0",
                             "--data-dir", str(data_dir), "--encryption-provider-config", str(wrong)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "cannot be read back: cipher: message authentication failed" in result.stdout + result.stderr


def test_an_invalid_configuration_stops_startup_without_printing_keys(tmp_path, data_dir):
    short = base64.b64encode(b"0123456789").decode()
    config = tmp_path / "bad.yaml"
    config.write_text("apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n"
                      "  - resources: [secrets]\n    providers:\n"
                      f"      - aescbc:\n          keys: [{{name: k, secret: {short}}}]\n")
    result = subprocess.run([kubelite_binary(), "serve", "--port", "0", "--bind-address", "127.0.0.1", "--dns-port", "0",
                             "--data-dir", str(data_dir), "--encryption-provider-config", str(config)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "resources[0].providers[0].aescbc.keys[0].secret: Invalid value" in output
    assert short not in output
