"""RBAC as `kubelite serve` enforces it by default (HTTPS, `--authorization-mode` RBAC), with the real kubectl 1.32
and the official Python client. The kubeconfig the server writes is the cluster admin's (system:masters). A second
kubeconfig, made as on a real cluster for a ServiceAccount bound only to `view` (its token from `kubectl create
token`), gets, lists and watches but gets 403 on create, and `kubectl auth can-i --list` shows what it may do.
Anonymous requests see only the public endpoints; users are also acted as through impersonation (`--as`); and
granting more than one holds is refused as upstream's escalation check refuses it."""

import os
import subprocess
import types

import pytest
import requests
import yaml
from kubernetes import client as k8s_client
from kubernetes import config as k8s_config

from support import Kubectl, OutputReader, Server, parse_table, wait_for

NAMESPACE = "team"
VIEWER = f"system:serviceaccount:{NAMESPACE}:viewer"


@pytest.fixture(scope="module")
def rbac_server(tmp_path_factory):
    instance = Server(tmp_path_factory.mktemp("rbac-serve")).start()
    assert instance.url.startswith("https://"), "kubelite serve must default to HTTPS"
    yield instance
    assert instance.stop() == 0


@pytest.fixture(scope="module")
def admin(rbac_server, kubectl_cache):
    kubectl = Kubectl(rbac_server, kubectl_cache, namespace=NAMESPACE)
    kubectl("create", "namespace", NAMESPACE, namespace=None)
    kubectl("create", "rolebinding", "alice-view", "--clusterrole=view", "--user=alice")
    # The aggregation controller fills `view` from system:aggregate-to-view soon after start.
    wait_for(lambda: kubectl("auth", "can-i", "list", "pods", "--as=alice", check=False).strip() == "yes", 20,
             "alice to be able to list pods through view")
    return kubectl


@pytest.fixture(scope="module")
def viewer(admin, rbac_server, kubectl_cache, tmp_path_factory):
    """kubectl with a kubeconfig of its own: the server's CA and a bound ServiceAccount token, nothing of the admin's."""
    admin("create", "serviceaccount", "viewer")
    admin("create", "rolebinding", "viewer-view", "--clusterrole=view", f"--serviceaccount={NAMESPACE}:viewer")
    token = admin("create", "token", "viewer").strip()
    path = tmp_path_factory.mktemp("viewer") / "kubeconfig"
    for args in (["set-cluster", "kubelite", f"--server={rbac_server.url}",
                  f"--certificate-authority={rbac_server.tls['verify']}", "--embed-certs=true"],
                 ["set-credentials", "viewer", f"--token={token}"],
                 ["set-context", "viewer", "--cluster=kubelite", "--user=viewer", f"--namespace={NAMESPACE}"],
                 ["use-context", "viewer"]):
        subprocess.run(["kubectl", "config", f"--kubeconfig={path}", *args], check=True, capture_output=True)
    config = yaml.safe_load(path.read_text())
    assert "client-certificate-data" not in config["users"][0]["user"]
    return Kubectl(types.SimpleNamespace(kubeconfig=path), kubectl_cache, namespace=NAMESPACE)


def test_anonymous_requests_see_only_the_public_endpoints(rbac_server):
    anonymous = {"verify": rbac_server.tls["verify"], "timeout": 10}  # the CA, no client certificate
    response = requests.get(f"{rbac_server.url}/api/v1/namespaces/{NAMESPACE}/pods", **anonymous)
    assert response.status_code == 403
    assert response.json() == {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": f'pods is forbidden: User "system:anonymous" cannot list resource "pods" in API group "" in the namespace "{NAMESPACE}"',
        "reason": "Forbidden", "details": {"kind": "pods"}, "code": 403,
    }
    # system:public-info-viewer: health and version for everyone; discovery only for the authenticated.
    assert requests.get(f"{rbac_server.url}/healthz", **anonymous).status_code == 200
    assert requests.get(f"{rbac_server.url}/version", **anonymous).json()["major"] == "1"
    assert requests.get(f"{rbac_server.url}/api", **anonymous).json()["message"] == 'forbidden: User "system:anonymous" cannot get path "/api"'


def test_the_viewer_kubeconfig_gets_and_watches_but_cannot_create(admin, viewer):
    assert viewer("auth", "whoami", "-o", "jsonpath={.status.userInfo.username}") == VIEWER
    admin("create", "configmap", "settings", "--from-literal=k=v")
    assert viewer("get", "configmap", "settings", "-o", "jsonpath={.data.k}") == "v"
    assert "settings" in viewer("get", "configmaps")

    # `kubectl get -w` as the viewer sees a ConfigMap the admin creates after the watch began.
    watch = subprocess.Popen(["kubectl", f"--cache-dir={viewer.cache_dir}", f"--namespace={NAMESPACE}", "get", "configmaps",
                              "--watch", "--output-watch-events", "--request-timeout=30s"],
                             env={**os.environ, "KUBECONFIG": str(viewer.server.kubeconfig)},
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        output = OutputReader(watch)
        output.wait_for_line(lambda line: line.split()[:2] == ["ADDED", "settings"], 20, "the initial list: the watch is open")
        admin("create", "configmap", "later", "--from-literal=k=v")
        output.wait_for_line(lambda line: line.split()[:2] == ["ADDED", "later"], 20, "the viewer's watch to see `later`")
    finally:
        watch.kill()
        watch.wait(timeout=10)

    refused = viewer.run("create", "configmap", "mine", "--from-literal=k=v")
    assert refused.returncode != 0
    # kubectl's create subcommands print "error: failed to create configmap: " before the server's message.
    assert (f'configmaps is forbidden: User "{VIEWER}" cannot create resource "configmaps" '
            f'in API group "" in the namespace "{NAMESPACE}"\n') in refused.stderr
    assert viewer.run("get", "pods", namespace="kube-system").returncode != 0
    assert viewer.run("get", "secrets").returncode != 0, "view does not read Secrets"


def test_the_viewer_kubeconfig_with_the_python_client(admin, viewer):
    configuration = k8s_client.Configuration()
    k8s_config.load_kube_config(config_file=str(viewer.server.kubeconfig), client_configuration=configuration)
    core = k8s_client.CoreV1Api(k8s_client.ApiClient(configuration))
    admin("create", "configmap", "for-python", "--from-literal=k=v")
    assert "for-python" in [c.metadata.name for c in core.list_namespaced_config_map(NAMESPACE).items]
    with pytest.raises(k8s_client.ApiException) as error:
        core.create_namespaced_config_map(NAMESPACE, {"metadata": {"name": "python"}, "data": {"k": "v"}})
    assert error.value.status == 403 and '"reason":"Forbidden"' in error.value.body.replace(" ", "")


def test_can_i_list_shows_what_the_viewer_may_do(admin, viewer):
    rows = {r["Resources"]: r for r in parse_table(viewer("auth", "can-i", "--list"))[0]["rows"]}
    assert rows["pods"]["Verbs"] == "[get list watch]", rows
    assert rows["configmaps"]["Verbs"] == "[get list watch]", rows
    assert rows["selfsubjectaccessreviews.authorization.k8s.io"]["Verbs"] == "[create]"
    assert "secrets" not in rows and "*.*" not in rows
    assert viewer.run("auth", "can-i", "create", "configmaps").stdout.strip() == "no"
    assert viewer("auth", "can-i", "watch", "deployments.apps").strip() == "yes"
    # metrics-server's system:aggregated-metrics-reader aggregates into view: `kubectl top` works for it.
    assert rows["pods.metrics.k8s.io"]["Verbs"] == "[get list watch]", rows
    top = viewer.run("top", "pod")
    assert top.returncode == 0 and "forbidden" not in top.stderr.lower(), top.stderr


def test_impersonation_and_can_i_tell_the_truth(admin, rbac_server):
    assert admin.run("--as=alice", "auth", "can-i", "create", "pods").stdout.strip() == "no"
    assert admin("--as=alice", "auth", "can-i", "watch", "deployments.apps").strip() == "yes"
    assert admin.run("--as=alice", "auth", "can-i", "get", "secrets").stdout.strip() == "no"
    assert admin("auth", "can-i", "delete", "nodes", namespace=None).strip() == "yes"
    # A watch is authorized like a list: the stream opens and ends when its timeout is up.
    admin("create", "configmap", "impersonated", "--from-literal=k=v")
    watch = rbac_server.raw("GET", f"/api/v1/namespaces/{NAMESPACE}/configmaps",
                            params={"watch": "1", "timeoutSeconds": "1"}, headers={"Impersonate-User": "alice"})
    assert watch.status_code == 200 and '"impersonated"' in watch.text
    refused = rbac_server.raw("POST", f"/api/v1/namespaces/{NAMESPACE}/configmaps",
                              {"metadata": {"name": "alices"}}, headers={"Impersonate-User": "alice"})
    assert refused.status_code == 403


def test_escalation_is_refused(admin):
    admin("create", "role", "rbac-writer", "--verb=create", "--resource=roles,rolebindings")
    admin("create", "rolebinding", "bob-writes", "--role=rbac-writer", "--user=bob")
    wait_for(lambda: admin("--as=bob", "auth", "can-i", "create", "roles", check=False).strip() == "yes", 10, "bob's grant")
    refused = admin.run("--as=bob", "create", "role", "pod-admin", "--verb=*", "--resource=pods")
    assert refused.returncode != 0
    assert ('roles.rbac.authorization.k8s.io "pod-admin" is forbidden: user "bob" (groups=["system:authenticated"]) '
            'is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["pods"], Verbs:["*"]}') in refused.stderr
    binding = admin.run("--as=bob", "create", "rolebinding", "bob-views", "--clusterrole=view", "--user=bob")
    assert binding.returncode != 0 and "is attempting to grant RBAC permissions not currently held" in binding.stderr
    # What bob holds he may hand on.
    admin("--as=bob", "create", "rolebinding", "carol-writes", "--role=rbac-writer", "--user=carol")
