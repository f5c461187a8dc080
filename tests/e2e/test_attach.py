"""Containers with stdin and a terminal, and `kubectl attach` / `kubectl run -it` into them, for pods that really
run (root on Linux; CI runs as root): the course's `kubectl run -it --rm ... -- sh`, input through a pipe with
stdinOnce, and a shell's exit code through `exec -it`."""

import json
import os
import re
import shutil

import pytest

from support import get_or_none, pod_is_ready, tty_session, wait_for

pytestmark = pytest.mark.skipif(os.geteuid() != 0 or shutil.which("unshare") is None,
                                reason="real pods need root and util-linux (pods are simulated otherwise)")


def test_run_it_rm_gives_a_shell_in_the_pod_and_removes_it(kubectl, ns):
    shown, code = tty_session(kubectl, ["run", "-it", "--rm", "shell", "--image=busybox", "--restart=Never", "--", "sh"],
                              "hostname\nexit\n", prompt=b"pressing enter.")
    assert code == 0, shown
    assert "If you don't see a command prompt, try pressing enter." in shown
    # The prompt may come before the output: the terminal echoes what was typed at once.
    assert re.search(r"(\n|# )shell\r\n", shown.split("hostname", 1)[1]), shown
    assert f'pod "shell" deleted' in shown, shown
    wait_for(lambda: get_or_none(kubectl, "pod", "shell") is None, 30, "pod shell to be gone")


def test_run_i_pipes_stdin_once_and_the_pod_completes(kubectl, ns):
    result = kubectl.run("run", "-i", "--rm", "reader", "--image=busybox", "--restart=Never", "--", "sh", "-c", "cat; echo done",
                         input="line one\nline two\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("line one\nline two\ndone\n"), result.stdout


def test_attach_to_a_running_container_with_a_terminal(kubectl, ns):
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "box"},
           "spec": {"restartPolicy": "Never",
                    "containers": [{"name": "box", "image": "busybox", "command": ["sh"], "stdin": True, "tty": True}]}}
    kubectl("apply", "-f", "-", input=json.dumps(pod))
    wait_for(lambda: (p := get_or_none(kubectl, "pod", "box")) and pod_is_ready(p), 45, "pod box Ready", interval=0.1)
    shown, code = tty_session(kubectl, ["attach", "-it", "box"], "echo attached-$((6*7))\nexit 4\n",
                              prompt=b"pressing enter.")
    assert "attached-42" in shown, shown
    container = wait_for(lambda: (s := kubectl.json("get", "pod", "box")["status"].get("containerStatuses"))
                         and "terminated" in s[0]["state"] and s[0], 30, "the shell to end")
    assert container["state"]["terminated"]["exitCode"] == 4


def test_exec_it_reports_the_shells_exit_code(kubectl, ns):
    kubectl("run", "sleeper", "--image=busybox", "--restart=Never", "--", "sleep", "3600")
    wait_for(lambda: (p := get_or_none(kubectl, "pod", "sleeper")) and pod_is_ready(p), 45, "pod sleeper Ready", interval=0.1)
    shown, code = tty_session(kubectl, ["exec", "-it", "sleeper", "--", "sh"], "exit 3\n")
    assert code == 3, shown
