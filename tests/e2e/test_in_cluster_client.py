"""A real pod as an in-cluster client (issue 17; root on Linux, as real pods need; CI runs as root): over
HTTPS with RBAC it finds the API server through `KUBERNETES_SERVICE_HOST`/`KUBERNETES_SERVICE_PORT`
(the kubelet's Service variables), trusts the mounted `ca.crt`, and lists pods with its mounted
ServiceAccount token: refused (403) until a RoleBinding grants its account `view`, then allowed."""

import os
import shutil
import textwrap

import pytest

from support import Kubectl, get_or_none, pod_is_ready, wait_for

pytestmark = pytest.mark.skipif(os.geteuid() != 0 or shutil.which("unshare") is None or shutil.which("nft") is None,
                                reason="real pods need root, util-linux and nftables (pods are simulated otherwise)")

# Lists the pod's namespace's pods as client-go's in-cluster config does, printing the HTTP status and
# the names (or the Status message). Standard library only: the pod runs the host's python3.
LIST_PODS = textwrap.dedent("""
    import json, os, ssl, urllib.error, urllib.request
    sa = "/var/run/secrets/kubernetes.io/serviceaccount"
    host, port = os.environ["KUBERNETES_SERVICE_HOST"], os.environ["KUBERNETES_SERVICE_PORT"]
    token = open(sa + "/token").read()
    namespace = open(sa + "/namespace").read()
    context = ssl.create_default_context(cafile=sa + "/ca.crt")
    request = urllib.request.Request(f"https://{host}:{port}/api/v1/namespaces/{namespace}/pods",
                                     headers={"Authorization": "Bearer " + token})
    try:
        with urllib.request.urlopen(request, context=context, timeout=10) as answer:
            print(answer.status, " ".join(p["metadata"]["name"] for p in json.load(answer)["items"]))
    except urllib.error.HTTPError as error:
        print(error.code, json.load(error)["message"])
""")


def test_a_pod_lists_pods_with_its_service_account_token_once_bound(start_server, kubectl_cache):
    server = start_server("--secure-port", "0", "--bind-address", "0.0.0.0", "--authorization-mode", "RBAC",
                          "--cluster-cidr", "10.127.96.0/20", "--service-cluster-ip-range", "10.112.0.0/16")
    kubectl = Kubectl(server, cache_dir=kubectl_cache, namespace="incluster")
    kubectl("create", "namespace", "incluster", namespace=None)
    kubectl("run", "client", "--image=python", "--command", "--", "sleep", "3600")
    wait_for(lambda: (p := get_or_none(kubectl, "pod", "client")) and pod_is_ready(p), 60,
             "the client pod Ready", interval=0.2)
    env = kubectl("exec", "client", "--", "env").splitlines()
    assert "KUBERNETES_SERVICE_HOST=10.112.0.1" in env
    assert "KUBERNETES_SERVICE_PORT=443" in env

    def list_pods():
        return kubectl("exec", "client", "--", "python3", "-c", LIST_PODS).strip()

    refused = list_pods()
    assert refused == ('403 pods is forbidden: User "system:serviceaccount:incluster:default" cannot list '
                       'resource "pods" in API group "" in the namespace "incluster"'), refused
    kubectl("create", "rolebinding", "default-view", "--clusterrole=view",
            "--serviceaccount=incluster:default")
    # The authorizer's cache follows the binding as soon as it is stored; the wait only bounds that.
    allowed = wait_for(lambda: (out := list_pods()).startswith("200 ") and out, 30, "the bound account to list pods",
                       interval=0.2)
    assert allowed == "200 client"
