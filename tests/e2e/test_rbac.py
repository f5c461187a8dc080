"""`--authorization-mode RBAC` with the real kubectl 1.32 and the official Python client. Kubelite does not
authenticate yet, so every request is `system:anonymous`; the server's data directory is first seeded (in the
default AlwaysAllow mode) with a ClusterRoleBinding that lets the anonymous test client impersonate, then the
server restarts in RBAC mode and the tests act as users through `--as` / the Impersonate-* headers: a user
bound to `view` gets, lists and watches but gets 403 on create, `auth can-i` and `auth can-i --list` tell
the truth, and granting more than one holds is refused as upstream's escalation check refuses it."""

import pytest
from kubernetes import client as k8s_client

from support import Kubectl, Server, parse_table, wait_for

IMPERSONATOR = {
    "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "e2e-impersonator"},
    "rules": [{"apiGroups": [""], "resources": ["users", "groups", "serviceaccounts"], "verbs": ["impersonate"]}],
}
IMPERSONATOR_BINDING = {
    "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": "e2e-impersonator"},
    "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "e2e-impersonator"},
    "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "system:anonymous"}],
}
ADMIN = ["--as=e2e-admin", "--as-group=system:masters"]


@pytest.fixture(scope="module")
def rbac_server(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("rbac-data")
    seeding = Server(tmp_path_factory.mktemp("rbac-seed"), ["--data-dir", data_dir]).start()
    try:
        for path, body in [("/apis/rbac.authorization.k8s.io/v1/clusterroles", IMPERSONATOR),
                           ("/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", IMPERSONATOR_BINDING),
                           ("/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}})]:
            response = seeding.raw("POST", path, body)
            assert response.status_code == 201, response.text
    finally:
        assert seeding.stop() == 0
    instance = Server(tmp_path_factory.mktemp("rbac-serve"), ["--data-dir", data_dir, "--authorization-mode", "RBAC"]).start()
    yield instance
    assert instance.stop() == 0


@pytest.fixture(scope="module")
def admin(rbac_server, kubectl_cache):
    kubectl = Kubectl(rbac_server, kubectl_cache, namespace="team")
    kubectl(*ADMIN, "create", "rolebinding", "alice-view", "--clusterrole=view", "--user=alice")
    # The aggregation controller fills `view` from system:aggregate-to-view soon after start.
    wait_for(lambda: kubectl(*ADMIN, "auth", "can-i", "list", "pods", "--as=alice", check=False).strip() == "yes", 20,
             "alice to be able to list pods through view")
    return kubectl


def test_anonymous_requests_are_refused_with_upstreams_status(rbac_server):
    response = rbac_server.raw("GET", "/api/v1/namespaces/team/pods")
    assert response.status_code == 403
    assert response.json() == {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": 'pods is forbidden: User "system:anonymous" cannot list resource "pods" in API group "" in the namespace "team"',
        "reason": "Forbidden", "details": {"kind": "pods"}, "code": 403,
    }
    assert rbac_server.raw("GET", "/healthz").status_code == 200
    assert rbac_server.raw("GET", "/api").json()["message"] == 'forbidden: User "system:anonymous" cannot get path "/api"'


def test_a_viewer_reads_and_watches_but_cannot_create(admin, rbac_server):
    admin(*ADMIN, "create", "configmap", "settings", "--from-literal=k=v")
    assert admin("--as=alice", "get", "configmap", "settings", "-o", "jsonpath={.data.k}") == "v"
    assert "settings" in admin("--as=alice", "get", "configmaps")
    refused = admin.run("--as=alice", "create", "configmap", "mine", "--from-literal=k=v")
    assert refused.returncode != 0
    # kubectl's create subcommands print "error: failed to create configmap: " before the server's message.
    assert ('configmaps is forbidden: User "alice" cannot create resource "configmaps" '
            'in API group "" in the namespace "team"\n') in refused.stderr
    assert admin.run("--as=alice", "get", "pods", namespace="kube-system").returncode != 0
    # A watch is authorized like a list: the stream opens and ends when its timeout is up.
    watch = rbac_server.raw("GET", "/api/v1/namespaces/team/configmaps",
                            params={"watch": "1", "timeoutSeconds": "1"}, headers={"Impersonate-User": "alice"})
    assert watch.status_code == 200 and '"settings"' in watch.text

    # The official Python client, impersonating through a default header.
    api_client = rbac_server.api_client()
    api_client.set_default_header("Impersonate-User", "alice")
    core = k8s_client.CoreV1Api(api_client)
    assert [c.metadata.name for c in core.list_namespaced_config_map("team").items if c.metadata.name == "settings"] == ["settings"]
    with pytest.raises(k8s_client.ApiException) as error:
        core.create_namespaced_config_map("team", {"metadata": {"name": "python"}, "data": {"k": "v"}})
    assert error.value.status == 403 and '"reason":"Forbidden"' in error.value.body.replace(" ", "")


def test_can_i_tells_the_truth(admin):
    assert admin.run("--as=alice", "auth", "can-i", "create", "pods").stdout.strip() == "no"
    assert admin("--as=alice", "auth", "can-i", "watch", "deployments.apps").strip() == "yes"
    assert admin.run("--as=alice", "auth", "can-i", "get", "secrets").stdout.strip() == "no"
    assert admin(*ADMIN, "auth", "can-i", "delete", "nodes", namespace=None).strip() == "yes"
    rows = {r["Resources"]: r for r in parse_table(admin("--as=alice", "auth", "can-i", "--list"))[0]["rows"]}
    assert rows["pods"]["Verbs"] == "[get list watch]", rows
    assert rows["selfsubjectaccessreviews.authorization.k8s.io"]["Verbs"] == "[create]"
    assert "secrets" not in rows and "*.*" not in rows


def test_escalation_is_refused(admin):
    admin(*ADMIN, "create", "role", "rbac-writer", "--verb=create", "--resource=roles,rolebindings")
    admin(*ADMIN, "create", "rolebinding", "bob-writes", "--role=rbac-writer", "--user=bob")
    wait_for(lambda: admin("--as=bob", "auth", "can-i", "create", "roles", check=False).strip() == "yes", 10, "bob's grant")
    refused = admin.run("--as=bob", "create", "role", "pod-admin", "--verb=*", "--resource=pods")
    assert refused.returncode != 0
    assert ('roles.rbac.authorization.k8s.io "pod-admin" is forbidden: user "bob" (groups=["system:authenticated"]) '
            'is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["pods"], Verbs:["*"]}') in refused.stderr
    binding = admin.run("--as=bob", "create", "rolebinding", "bob-views", "--clusterrole=view", "--user=bob")
    assert binding.returncode != 0 and "is attempting to grant RBAC permissions not currently held" in binding.stderr
    # What bob holds he may hand on.
    admin("--as=bob", "create", "rolebinding", "carol-writes", "--role=rbac-writer", "--user=carol")
