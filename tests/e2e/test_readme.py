"""Runs the README's quickstart blocks exactly as written, against the test server: the kubectl block
with KUBECONFIG pointing at it, the curl block with the documented address replaced by the server's."""
import json
import os
import re
import subprocess
import pathlib

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]


def readme_block(after):
    """The indented code block that follows the line `after`, joined on backslash continuations."""
    lines = (ROOT / "README.md").read_text().splitlines()
    start = lines.index(after) + 1
    block = []
    for line in lines[start:]:
        if not line.strip():
            if block:
                break
            continue
        if not line.startswith("    "):
            break
        block.append(line[4:])
    return [c.strip() for c in re.sub(r"\\\n\s*", " ", "\n".join(block)).splitlines() if c.strip()]


SEPARATOR = "----- next command -----"


def test_curl_block_runs_as_written(start_server, tmp_path):
    """The block runs as one shell script (its first lines set variables the others use), against a server
    whose data directory stands for ~/.local/share/kubelite and whose address for 127.0.0.1:6443."""
    data_dir = tmp_path / "data"
    cluster = start_server("--data-dir", data_dir)
    commands = readme_block("only `/version`, `/healthz` and the like):")
    assert commands[0].startswith("pki=~/.local/share/kubelite/pki") and commands[1].startswith("kcurl()")
    script = "set -e\n" + "\n".join(
        command.replace("~/.local/share/kubelite", str(data_dir)).replace("https://127.0.0.1:6443", cluster.url)
        + f"\necho '{SEPARATOR}'" for command in commands)
    result = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, (script, result.stderr)
    outputs = list(zip(commands, result.stdout.split(SEPARATOR + "\n")))[2:]
    assert len(outputs) >= 9
    for command, out in outputs:
        if "watch=1" in command:
            events = [json.loads(line) for line in out.splitlines() if line.strip()]
            assert {e["object"]["metadata"]["name"] for e in events} >= {"default", "kube-system"}
            assert all(e["type"] == "ADDED" for e in events)
            continue
        if "Accept: application/yaml" in command:
            doc = yaml.safe_load(out)
            assert doc["data"] == {"a": "1", "b": "2"}
            continue
        body = json.loads(out)
        if command.startswith("curl ") and command.endswith("/namespaces"):  # no client certificate: anonymous
            assert body["code"] == 403 and body["message"] == (
                'namespaces is forbidden: User "system:anonymous" cannot list resource "namespaces" in API group "" '
                'at the cluster scope'), body
            continue
        assert body.get("status") != "Failure", (command, body)
    assert json.loads(outputs[0][1])["major"] == "1"
    assert json.loads(outputs[3][1])["data"] == {"a": "1", "b": "2"}
    table = json.loads(outputs[5][1])
    assert table["kind"] == "Table" and any(r["cells"][0] == "default" for r in table["rows"])


def test_kubectl_block_runs_as_written(start_server):
    cluster = start_server()
    commands = readme_block("In another (from the repository root):")
    assert commands[0].startswith("export KUBECONFIG=")
    env = dict(os.environ, KUBECONFIG=str(cluster.kubeconfig))
    for command in commands[1:]:
        result = subprocess.run(["bash", "-c", command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, (command, result.stdout, result.stderr)
