"""The audit log (--audit-log-path, --audit-policy-file): upstream's audit.k8s.io/v1 Events, one JSON line
per stage, levels and stages as the policy says, the Audit-Id header matching the event."""

import subprocess
import threading

import pytest
import requests

from support import audit_events, audited_server, kubelite_binary, wait_for

POLICY = """apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: None
    nonResourceURLs: ["/healthz*", "/readyz*", "/livez*"]
  - level: Metadata
    resources: [{group: "", resources: ["secrets"]}]
  - level: RequestResponse
    resources: [{group: "", resources: ["configmaps"]}]
  - level: Request
    verbs: [watch]
  - level: Metadata
"""


@pytest.fixture
def audited(tmp_path):
    yield from audited_server(tmp_path, POLICY, tmp_path / "audit" / "audit.log")


def wait_event(log, predicate, message):
    return wait_for(lambda: next((e for e in audit_events(log) if predicate(e)), None), 10, message)


def test_levels_stages_and_fields(audited):
    server, log, kubectl = audited
    kubectl("create", "secret", "generic", "audited-secret", "--from-literal=password=never-in-the-audit-log")
    kubectl("create", "configmap", "audited-cm", "--from-literal=k=v")

    secret = wait_event(log, lambda e: e.get("objectRef", {}).get("resource") == "secrets" and e["verb"] == "create"
                        and e["user"]["username"] == "kubernetes-admin", "the Secret's create event")
    assert secret["kind"] == "Event" and secret["apiVersion"] == "audit.k8s.io/v1"
    assert secret["level"] == "Metadata" and secret["stage"] == "ResponseComplete"
    # Named by the created object, as upstream's audit.LogRequestObject completes objectRef.
    assert secret["objectRef"] == {"resource": "secrets", "namespace": "default", "name": "audited-secret", "apiVersion": "v1"}
    assert secret["responseStatus"] == {"metadata": {}, "code": 201}
    assert secret["user"]["username"] == "kubernetes-admin"  # the kubeconfig's admin certificate
    assert secret["sourceIPs"] == ["127.0.0.1"]
    assert secret["userAgent"].startswith("kubectl/")
    assert secret["requestURI"].startswith("/api/v1/namespaces/default/secrets")
    assert "requestObject" not in secret and "responseObject" not in secret
    assert secret["requestReceivedTimestamp"] <= secret["stageTimestamp"]
    assert "never-in-the-audit-log" not in log.read_text() and "bmV2ZXItaW4tdGhlLWF1ZGl0LWxvZw" not in log.read_text()

    # The root-ca-cert-publisher's own creates of kube-root-ca.crt are audited too, with its user.
    config_map = wait_event(log, lambda e: e.get("objectRef", {}).get("resource") == "configmaps" and e["verb"] == "create"
                            and e["user"]["username"] == "kubernetes-admin", "the ConfigMap's create event")
    published = wait_event(log, lambda e: e.get("objectRef", {}).get("name") == "kube-root-ca.crt" and e["verb"] == "create",
                           "the root CA ConfigMap's create event")
    assert published["user"]["username"] == "system:serviceaccount:kube-system:root-ca-cert-publisher"
    assert config_map["level"] == "RequestResponse"
    assert config_map["requestObject"]["data"] == {"k": "v"}
    assert config_map["responseObject"]["metadata"]["name"] == "audited-cm"
    assert not any(e["stage"] == "RequestReceived" for e in audit_events(log)), "omitted by the policy"
    assert not any(e.get("requestURI", "").startswith("/readyz") for e in audit_events(log)), "level None"


def test_failures_audit_ids_impersonation_and_watches(audited):
    server, log, kubectl = audited
    response = server.raw("GET", "/api/v1/namespaces/default/pods/missing", headers={"Audit-ID": "client-chosen-id"})
    assert response.status_code == 404 and response.headers["Audit-Id"] == "client-chosen-id"
    missing = wait_event(log, lambda e: e["auditID"] == "client-chosen-id", "the 404's event")
    assert missing["responseStatus"]["code"] == 404
    assert missing["responseStatus"]["status"] == "Failure" and missing["responseStatus"]["reason"] == "NotFound"
    assert missing["objectRef"]["name"] == "missing"

    generated = server.raw("GET", "/api/v1/namespaces").headers["Audit-Id"]
    listed = wait_event(log, lambda e: e["auditID"] == generated, "the list's event")
    assert listed["verb"] == "list"

    # jane may not list pods (RBAC): the refused request is audited with who asked and as whom.
    assert kubectl.run("get", "pods", "--as", "jane", "--as-group", "developers").returncode != 0
    impersonated = wait_event(log, lambda e: e.get("impersonatedUser", {}).get("username") == "jane"
                              and e.get("objectRef", {}).get("resource") == "pods", "the impersonated list of pods")
    assert "developers" in impersonated["impersonatedUser"]["groups"]
    assert impersonated["user"]["username"] == "kubernetes-admin"
    assert impersonated["responseStatus"]["code"] == 403

    with requests.get(server.url + "/api/v1/namespaces/default/pods?watch=1&timeoutSeconds=1", stream=True, timeout=10, **server.tls) as watch:
        audit_id = watch.headers["Audit-Id"]
        for _ in watch.iter_lines():
            pass
    started = wait_event(log, lambda e: e["auditID"] == audit_id and e["stage"] == "ResponseStarted", "the watch's start")
    done = wait_event(log, lambda e: e["auditID"] == audit_id and e["stage"] == "ResponseComplete", "the watch's end")
    assert started["verb"] == done["verb"] == "watch" and done["level"] == "Request"


def test_an_invalid_policy_stops_startup(tmp_path):
    (tmp_path / "policy.yaml").write_text("apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n  - level: Verbose\n")
    result = subprocess.run([kubelite_binary(), "serve", "--in-memory", "--port", "0", "--bind-address", "127.0.0.1",
                             "--dns-port", "0", "--audit-policy-file", str(tmp_path / "policy.yaml"),
                             "--audit-log-path", str(tmp_path / "audit.log")], capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert 'rules[0].level: Unsupported value: "Verbose"' in result.stdout + result.stderr
