"""The controllers act as their own users, as kube-controller-manager with --use-service-account-credentials
and kube-scheduler do: the audit log names the StatefulSet controller's ServiceAccount on the pod's create and
system:kube-scheduler on its binding, the pod's managedFields name kube-controller-manager, and RBAC answers
for those users from their bootstrap roles."""

import json

import pytest

from support import audit_events, audited_server, wait_for

POLICY = """apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: Request
    resources: [{group: "", resources: ["pods", "pods/binding"]}]
    verbs: [create]
  - level: None
"""

STATEFULSET_CONTROLLER = "system:serviceaccount:kube-system:statefulset-controller"


@pytest.fixture
def audited(tmp_path):
    yield from audited_server(tmp_path, POLICY, tmp_path / "audit.log")


def find(log, verb, subresource=None):
    def match(event):
        ref = event.get("objectRef", {})
        return (event["verb"] == verb and ref.get("resource") == "pods" and ref.get("name") == "web-0"
                and ref.get("subresource") == subresource)
    return next((e for e in audit_events(log) if match(e)), None)


def test_statefulset_pod_create_and_binding_are_the_controllers_requests(audited):
    server, log, kubectl = audited
    kubectl("create", "-f", "-", input=json.dumps({
        "apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "web"},
        "spec": {"serviceName": "web", "replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "web"}},
                              "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}}},
    }))

    create = wait_for(lambda: find(log, "create"), 30, "the audit event of web-0's create")
    assert create["user"] == {"username": STATEFULSET_CONTROLLER,
                              "groups": ["system:serviceaccounts", "system:serviceaccounts:kube-system",
                                         "system:authenticated"]}
    assert create["userAgent"].startswith("kube-controller-manager/")
    assert create["userAgent"].endswith("/statefulset-controller")
    assert create["requestURI"] == "/api/v1/namespaces/default/pods"
    assert create["objectRef"] == {"resource": "pods", "namespace": "default", "name": "web-0", "apiVersion": "v1"}
    assert create["responseStatus"]["code"] == 201
    assert create["requestObject"]["metadata"]["name"] == "web-0"
    assert "sourceIPs" not in create  # made in-process: there is no connection

    binding = wait_for(lambda: find(log, "create", "binding"), 30, "the audit event of web-0's binding")
    assert binding["user"] == {"username": "system:kube-scheduler", "groups": ["system:authenticated"]}
    assert binding["userAgent"].startswith("kube-scheduler/")
    assert binding["requestURI"] == "/api/v1/namespaces/default/pods/web-0/binding"
    assert binding["responseStatus"]["code"] == 201
    assert binding["requestObject"]["target"]["kind"] == "Node"

    # managedFields: the controller's create and the kubelet's status; a binding records none, as
    # upstream's BindingREST writes storage directly.
    def managers():
        pod = kubectl.json("get", "pod", "web-0", "--show-managed-fields")
        return {(e["manager"], e["operation"], e.get("subresource", "")) for e in pod["metadata"]["managedFields"]}
    wait_for(lambda: ("kubelet", "Update", "status") in managers(), 30, "the kubelet's status write")
    assert ("kube-controller-manager", "Update", "") in managers(), managers()
    # The admin's own create (kubectl) is audited with the admin, not a controller.
    assert not any(e["user"]["username"] == STATEFULSET_CONTROLLER and e["objectRef"]["resource"] != "pods"
                   for e in audit_events(log))


def test_can_i_answers_for_the_controllers_users(audited):
    _, _, kubectl = audited

    def can_i(*args):
        return kubectl.run("auth", "can-i", *args).stdout.strip()

    assert can_i("create", "pods", f"--as={STATEFULSET_CONTROLLER}") == "yes"
    assert can_i("update", "statefulsets.apps", "--subresource=status", f"--as={STATEFULSET_CONTROLLER}") == "yes"
    assert can_i("create", "secrets", f"--as={STATEFULSET_CONTROLLER}") == "no"
    # The endpoint controller manages Endpoints, not pods.
    assert can_i("create", "pods", "--as=system:serviceaccount:kube-system:endpoint-controller") == "no"
    assert can_i("create", "endpoints", "--as=system:serviceaccount:kube-system:endpoint-controller") == "yes"
    assert can_i("create", "pods", "--subresource=binding", "--as=system:kube-scheduler") == "yes"
    assert can_i("create", "pods", "--as=system:kube-scheduler") == "no"
    assert can_i("list", "secrets", "--all-namespaces", "--as=system:kube-controller-manager") == "yes"
    # The accounts exist in kube-system, as kube-controller-manager's client builder makes them.
    accounts = kubectl("get", "serviceaccounts", "-n", "kube-system", "-o", "name").split()
    assert {"serviceaccount/statefulset-controller", "serviceaccount/generic-garbage-collector",
            "serviceaccount/persistent-volume-binder"} <= set(accounts), accounts
