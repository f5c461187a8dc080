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


def test_curl_block_runs_as_written(start_server):
    cluster = start_server()
    commands = readme_block("With curl:")
    assert len(commands) >= 8
    outputs = []
    for command in commands:
        command = command.replace("http://127.0.0.1:8080", cluster.url)
        result = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=30)
        assert result.returncode == 0, (command, result.stderr)
        outputs.append((command, result.stdout))
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
