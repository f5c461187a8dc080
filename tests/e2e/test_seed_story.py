"""The seed's StatefulSet chapter as a user types it, with the machine's kubectl and the official Python client.

Each test runs twice: on this machine's Kubelite (pods run for real as root with namespaces, util-linux, iproute2
and redis-server; CI runs so) and on a Kubelite started without root, which is what a machine without
namespaces or root gets from `--pod-runtime auto`. There the pods are simulated: every step that needs a process
must end on a clear Status saying so (never a 404, a hang or a bare text), and the pods must carry the
`Simulated` event naming the reason."""

import json
import os
import shutil
import tempfile

import pytest
from kubernetes import client as k8s_client
from kubernetes.client.rest import ApiException
from kubernetes.stream import stream

from support import Kubectl, Server, create_namespace, get_or_none, namespace_name, pod_is_ready, tty_session, \
    wait_for, wait_for_statefulset

SIMULATED_EXEC = "is simulated by Kubelite: it has no processes to run a command in or attach to"
SIMULATED_LOG = "is simulated by Kubelite: its containers run no processes, so they write no log."


def machine_runs_pods():
    return os.geteuid() == 0 and all(shutil.which(tool) for tool in ("unshare", "nsenter", "ip"))


class Cluster:
    """A Kubelite, whether its pods can run for real, and why not (the Simulated event's words) when they can't."""

    def __init__(self, server, runs_pods, simulated_because=None):
        self.server, self.runs_pods, self.simulated_because = server, runs_pods, simulated_because

    def runs(self, image):
        """Whether a pod of `image` runs here (an image runs when its Debian package is installed)."""
        return self.runs_pods and (image != "redis" or shutil.which("redis-server") is not None)


@pytest.fixture(scope="module", params=["this machine", "without root"])
def cluster(request, server):
    if request.param == "this machine":
        yield Cluster(server, machine_runs_pods())
        return
    if os.geteuid() != 0:
        pytest.skip("this machine's Kubelite already runs without root")
    # As user nobody, in a directory it can write its kubeconfig to.
    workdir = tempfile.mkdtemp(prefix="kubelite-unprivileged-")
    os.chmod(workdir, 0o777)
    unprivileged = Server(workdir, user="nobody").start()
    yield Cluster(unprivileged, False, simulated_because="this machine cannot run pods (it needs Kubelite to run as root)")
    assert unprivileged.stop() == 0, unprivileged.log_tail()
    shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def kube(cluster, kubectl_cache, request):
    namespace = create_namespace(cluster.server, namespace_name(request))
    yield Kubectl(cluster.server, kubectl_cache, namespace=namespace)
    cluster.server.raw("DELETE", f"/api/v1/namespaces/{namespace}")


class Steps:
    """Runs seed steps and checks what a user sees: the output where the pods run, a clear Status where not."""

    def __init__(self, kubectl, cluster, image):
        self.kubectl, self.cluster, self.real = kubectl, cluster, cluster.runs(image)

    def exec(self, *args, input=None, shows=None, exit_code=0):
        result = self.kubectl.run("exec", *args, input=input)
        if self.real:
            assert result.returncode == exit_code, result.stderr
            if shows is not None:
                assert result.stdout == shows, (result.stdout, result.stderr)
        else:
            pod = next(a for a in args if not a.startswith("-"))
            assert result.returncode == 1, (result.stdout, result.stderr)
            # Refused as the answer to the upgrade, as the kubelet refuses a container that is not running.
            assert result.stderr == f"Error from server (BadRequest): pod {pod} {SIMULATED_EXEC}\n", result.stderr
        return result

    def check_mode(self, pod):
        """The pod's events agree with the mode this cluster is expected to be in."""
        def events():
            found = self.kubectl.json("get", "events", "--field-selector", f"involvedObject.name={pod}")["items"]
            return found if any(e["reason"] in ("Simulated", "Started") for e in found) else None

        reasons = {e["reason"]: e["message"] for e in wait_for(events, 30, f"the kubelet's events for {pod}")}
        if self.real:
            assert "Simulated" not in reasons, reasons
        else:
            assert "Simulated" in reasons, reasons
            if self.cluster.simulated_because:
                assert self.cluster.simulated_because in reasons["Simulated"], reasons["Simulated"]


def test_seed_statefulset_exec_dns_logs_and_exit_codes(kube, cluster, manifests):
    steps = Steps(kube, cluster, "redis")
    assert kube("apply", "-f", manifests / "redis-sts.yml").strip() == "statefulset.apps/redis-sts created"
    assert kube("apply", "-f", manifests / "redis-headless-svc.yml").strip() == "service/redis-svc created"
    pods = wait_for_statefulset(kube, "redis-sts", 2)
    steps.check_mode("redis-sts-0")
    addresses = {name: p["status"]["podIP"] for name, p in pods.items()}
    assert len(set(addresses.values())) == 2, addresses

    steps.exec("redis-sts-0", "--", "hostname", shows="redis-sts-0\n")
    shown, code = tty_session(kube, ["exec", "-it", "redis-sts-0", "--", "sh"], "hostname\nexit\n")
    if steps.real:
        assert code == 0, shown
        assert "redis-sts-0" in shown.split("hostname", 1)[1], shown
    else:
        assert code == 1 and SIMULATED_EXEC in shown, shown

    # Another pod reaches pod 0 by its stable name, through the cluster DNS and the pod network.
    steps.exec("redis-sts-1", "--", "redis-cli", "-h", "redis-sts-0.redis-svc", "ping", shows="PONG\n")
    logs = kube("logs", "redis-sts-0")
    if steps.real:
        assert "Redis is starting" in logs, logs
    else:
        assert logs.endswith(f"/redis-sts-0 {SIMULATED_LOG}\n"), logs
    steps.exec("redis-sts-0", "--", "sh", "-c", "exit 3", exit_code=3)


def test_seed_redis_data_survives_the_pod_and_stays_with_its_claim(kube, cluster, manifests):
    steps = Steps(kube, cluster, "redis")
    kube("apply", "-f", manifests / "nfs-client-storageclass.yml")
    kube("apply", "-f", manifests / "redis-pv-sts.yml")
    before = wait_for_statefulset(kube, "redis-pv-sts", 2)
    steps.check_mode("redis-pv-sts-0")
    steps.exec("-i", "redis-pv-sts-0", "--", "redis-cli", input="SET greeting hello\n", shows="OK\n")

    assert kube("delete", "pod", "redis-pv-sts-0").strip() == 'pod "redis-pv-sts-0" deleted'
    old_uid = before["redis-pv-sts-0"]["metadata"]["uid"]
    wait_for(lambda: (p := get_or_none(kube, "pod", "redis-pv-sts-0")) and p["metadata"]["uid"] != old_uid
             and pod_is_ready(p), 45, "redis-pv-sts-0 back and Ready", interval=0.1)
    steps.exec("redis-pv-sts-0", "--", "redis-cli", "GET", "greeting", shows="hello\n")
    steps.exec("redis-pv-sts-1", "--", "redis-cli", "GET", "greeting", shows="\n")  # pod 1 has its own claim


def test_python_client_stream_exec_with_stdin_stderr_and_exit_code(kube, cluster):
    steps = Steps(kube, cluster, "busybox")
    kube("run", "shell", "--image=busybox", "--restart=Never", "--", "sleep", "3600")
    wait_for(lambda: (p := get_or_none(kube, "pod", "shell")) and pod_is_ready(p), 45, "pod shell Ready", interval=0.1)
    steps.check_mode("shell")
    api_client = cluster.server.api_client()
    core = k8s_client.CoreV1Api(api_client)
    command = ["sh", "-c", "read x; echo got $x; echo e >&2; exit 4"]
    try:
        if not steps.real:
            # Refused before the upgrade: the client's handshake fails with the Status as its body.
            with pytest.raises(ApiException) as refused:
                stream(core.connect_get_namespaced_pod_exec, "shell", kube.namespace, command=command,
                       stderr=True, stdin=True, stdout=True, tty=False, _preload_content=False)
            assert "400 Bad Request" in refused.value.reason, refused.value.reason
            body = refused.value.reason.rsplit("-+-+-", 1)[1].strip()
            status = json.loads(body)
            assert (status["status"], status["reason"], status["code"]) == ("Failure", "BadRequest", 400), status
            assert status["message"] == f"pod shell {SIMULATED_EXEC}", status
            return
        resp = stream(core.connect_get_namespaced_pod_exec, "shell", kube.namespace, command=command,
                      stderr=True, stdin=True, stdout=True, tty=False, _preload_content=False)
        resp.write_stdin("hello\n")
        resp.run_forever(timeout=10)
        assert resp.read_stdout().strip() == "got hello"
        assert resp.read_stderr().strip() == "e"
        assert resp.returncode == 4
    finally:
        api_client.close()
