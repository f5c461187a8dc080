"""ServiceAccounts, tokens, RBAC objects and the reviews with the real kubectl 1.32 and the official
Python client: the `default` account and `kube-root-ca.crt` in every namespace, `kubectl create token`
giving a JWT that the published key set verifies, `auth can-i` and `auth whoami` as a kube-apiserver
authorizing everything answers an anonymous request, the bootstrap cluster roles, and
`kubectl create role|rolebinding|clusterrole` with upstream's columns and refusals."""

import base64
import json
import os
import stat
import subprocess

from kubernetes import client as k8s_client
from kubernetes import utils as k8s_utils

from support import Server, assert_status, kubelite_binary, parse_table, wait_for


def b64url_decode(segment):
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def jwt_parts(token):
    header, payload, signature = token.split(".")
    return json.loads(b64url_decode(header)), json.loads(b64url_decode(payload)), b64url_decode(signature)


def verify_rs256(token, jwk, tmp_path):
    """Verifies the signature with openssl, from the JWK's modulus and exponent (as a relying party would)."""
    n = int.from_bytes(b64url_decode(jwk["n"]), "big")
    e = int.from_bytes(b64url_decode(jwk["e"]), "big")

    def der_int(value):
        raw = value.to_bytes((value.bit_length() + 8) // 8, "big")
        return b"\x02" + der_len(len(raw)) + raw

    def der_len(length):
        if length < 128:
            return bytes([length])
        raw = length.to_bytes((length.bit_length() + 7) // 8, "big")
        return bytes([0x80 | len(raw)]) + raw

    rsa_key = der_int(n) + der_int(e)
    pkcs1 = b"\x30" + der_len(len(rsa_key)) + rsa_key
    key_path = tmp_path / "key.der"
    key_path.write_bytes(pkcs1)
    signed, signature = token.rsplit(".", 1)
    (tmp_path / "signed").write_bytes(signed.encode())
    (tmp_path / "sig").write_bytes(b64url_decode(signature))
    result = subprocess.run(["openssl", "dgst", "-sha256", "-verify", str(key_path), "-keyform", "DER",
                             "-signature", str(tmp_path / "sig"), str(tmp_path / "signed")],
                            capture_output=True, text=True)
    if "unable to load" in result.stderr or "Could not read" in result.stderr:
        # openssl wants PKCS#1 public keys as RSAPublicKey: say so explicitly.
        pem = tmp_path / "key.pem"
        subprocess.run(["openssl", "rsa", "-RSAPublicKey_in", "-inform", "DER", "-in", str(key_path), "-pubout",
                        "-out", str(pem)], check=True, capture_output=True)
        result = subprocess.run(["openssl", "dgst", "-sha256", "-verify", str(pem), "-signature", str(tmp_path / "sig"),
                                 str(tmp_path / "signed")], capture_output=True, text=True)
    return result.returncode == 0 and "Verified OK" in result.stdout


def test_new_namespace_gets_default_account_and_root_ca(kubectl, ns):
    table = wait_for(lambda: (parse_table(kubectl("get", "sa"))[0]["rows"] or None), 20, "the default ServiceAccount")
    header = parse_table(kubectl("get", "serviceaccounts"))[0]["header"]
    assert header == ["NAME", "SECRETS", "AGE"]
    assert [(r["NAME"], r["SECRETS"]) for r in table] == [("default", "0")]
    configmap = wait_for(lambda: kubectl.run("get", "configmap", "kube-root-ca.crt", "-o", "json").returncode == 0
                         and kubectl.json("get", "configmap", "kube-root-ca.crt"), 20, "kube-root-ca.crt")
    assert configmap["data"]["ca.crt"].startswith("-----BEGIN CERTIFICATE-----")
    assert "kubernetes.io/description" in configmap["metadata"]["annotations"]
    # The certificate is a real CA: openssl reads it.
    text = subprocess.run(["openssl", "x509", "-noout", "-subject", "-ext", "basicConstraints"],
                          input=configmap["data"]["ca.crt"], capture_output=True, text=True, check=True).stdout
    assert "CN = kubernetes" in text and "CA:TRUE" in text

    # A deleted default account and an edited kube-root-ca.crt come back.
    kubectl("delete", "sa", "default")
    wait_for(lambda: kubectl.run("get", "sa", "default").returncode == 0, 20, "the default account recreated")
    kubectl("patch", "configmap", "kube-root-ca.crt", "--type=merge", "-p", '{"data":{"ca.crt":"tampered"}}')
    wait_for(lambda: kubectl.json("get", "configmap", "kube-root-ca.crt")["data"]["ca.crt"].startswith("-----BEGIN"),
             20, "kube-root-ca.crt restored")


def test_create_sa_and_token_decodes_and_verifies(kubectl, ns, raw, tmp_path):
    assert kubectl("create", "sa", "builder").strip() == "serviceaccount/builder created"
    account = kubectl.json("get", "sa", "builder")
    token = kubectl("create", "token", "builder", "--duration=20m", "--audience=https://example.com").strip()
    header, claims, _ = jwt_parts(token)
    assert header["alg"] == "RS256"
    assert claims["iss"] == "https://kubernetes.default.svc.cluster.local"
    assert claims["sub"] == f"system:serviceaccount:{ns}:builder"
    assert claims["aud"] == ["https://example.com"]
    assert claims["exp"] - claims["iat"] == 1200
    assert claims["kubernetes.io"]["namespace"] == ns
    assert claims["kubernetes.io"]["serviceaccount"] == {"name": "builder", "uid": account["metadata"]["uid"]}

    default_token = kubectl("create", "token", "default").strip()
    _, default_claims, _ = jwt_parts(default_token)
    assert default_claims["aud"] == ["https://kubernetes.default.svc.cluster.local"]
    assert default_claims["exp"] - default_claims["iat"] == 3600

    keys = raw("GET", "/openid/v1/jwks")
    assert keys.status_code == 200 and keys.headers["Content-Type"] == "application/jwk-set+json"
    jwk = next(k for k in keys.json()["keys"] if k["kid"] == header["kid"])
    assert (jwk["kty"], jwk["alg"], jwk["use"]) == ("RSA", "RS256", "sig")
    assert verify_rs256(token, jwk, tmp_path)
    tampered = token.rsplit(".", 1)[0][:-2] + "AA." + token.rsplit(".", 1)[1]
    assert not verify_rs256(tampered, jwk, tmp_path)
    # The server itself says whom the token authenticates (TokenReview), and that a tampered one does not.
    reviewed = raw("POST", "/apis/authentication.k8s.io/v1/tokenreviews",
                   {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview",
                    "spec": {"token": token, "audiences": ["https://example.com"]}})
    assert reviewed.status_code == 201
    assert reviewed.json()["status"]["authenticated"] is True
    assert reviewed.json()["status"]["user"]["username"] == f"system:serviceaccount:{ns}:builder"
    refused = raw("POST", "/apis/authentication.k8s.io/v1/tokenreviews", {"spec": {"token": tampered}}).json()["status"]
    assert refused["authenticated"] is False and "invalid bearer token" in refused["error"]
    discovery = raw("GET", "/.well-known/openid-configuration").json()
    assert discovery["issuer"] == "https://kubernetes.default.svc.cluster.local"
    assert discovery["jwks_uri"].endswith("/openid/v1/jwks")


def test_long_lived_token_secret(kubectl, ns, raw):
    kubectl("create", "sa", "ci")
    kubectl("apply", "-f", "-", input=json.dumps({
        "apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/service-account-token",
        "metadata": {"name": "ci-token", "annotations": {"kubernetes.io/service-account.name": "ci"}}}))
    secret = wait_for(lambda: (s := kubectl.json("get", "secret", "ci-token")).get("data", {}).get("token") and s, 20,
                      "the tokens controller to fill the Secret")
    token = base64.b64decode(secret["data"]["token"]).decode()
    _, claims, _ = jwt_parts(token)
    assert claims["iss"] == "kubernetes/serviceaccount"
    assert claims["kubernetes.io/serviceaccount/secret.name"] == "ci-token"
    assert base64.b64decode(secret["data"]["namespace"]).decode() == ns
    assert base64.b64decode(secret["data"]["ca.crt"]).decode().startswith("-----BEGIN CERTIFICATE-----")
    described = kubectl("describe", "sa", "ci")
    assert "Tokens:              ci-token" in described, described
    review = raw("POST", "/apis/authentication.k8s.io/v1/tokenreviews", {"spec": {"token": token}}).json()["status"]
    assert review["authenticated"] is True and review["user"]["username"] == f"system:serviceaccount:{ns}:ci"
    kubectl("delete", "sa", "ci")
    wait_for(lambda: kubectl.run("get", "secret", "ci-token").returncode != 0, 20, "the Secret deleted with its account")
    gone = raw("POST", "/apis/authentication.k8s.io/v1/tokenreviews", {"spec": {"token": token}}).json()["status"]
    assert gone["authenticated"] is False


def test_account_without_automount_gives_pods_no_token_volume(kubectl):
    kubectl("apply", "-f", "-", input=json.dumps({"apiVersion": "v1", "kind": "ServiceAccount",
                                                 "metadata": {"name": "quiet"}, "automountServiceAccountToken": False}))
    kubectl("run", "quiet-pod", "--image=nginx", "--overrides", json.dumps({"spec": {"serviceAccountName": "quiet"}}))
    kubectl("run", "loud-pod", "--image=nginx")
    assert kubectl.json("get", "pod", "quiet-pod")["spec"].get("volumes") is None
    assert kubectl.json("get", "pod", "loud-pod")["spec"]["volumes"][0]["name"].startswith("kube-api-access-")


def test_token_request_refusals(kubectl, ns, raw):
    missing = kubectl.run("create", "token", "nobody")
    assert missing.returncode != 0
    assert 'serviceaccounts "nobody" not found' in missing.stderr
    short = raw("POST", f"/api/v1/namespaces/{ns}/serviceaccounts/default/token",
                {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": {"expirationSeconds": 60}})
    status = assert_status(short, 422, "Invalid")
    assert status["details"]["causes"] == [{"reason": "FieldValueInvalid", "field": "spec.expirationSeconds",
                                            "message": "Invalid value: 60: may not specify a duration less than 10 minutes"}]


def test_token_bound_to_pod(kubectl, ns, clients):
    kubectl("run", "holder", "--image=nginx")
    pod = wait_for(lambda: (p := kubectl.json("get", "pod", "holder")).get("spec", {}).get("nodeName") and p, 30,
                   "the pod scheduled")
    token = kubectl("create", "token", "default", "--bound-object-kind=Pod", "--bound-object-name=holder").strip()
    _, claims, _ = jwt_parts(token)
    assert claims["kubernetes.io"]["pod"] == {"name": "holder", "uid": pod["metadata"]["uid"]}
    assert claims["kubernetes.io"]["node"]["name"] == pod["spec"]["nodeName"]
    node = kubectl.json("get", "node", pod["spec"]["nodeName"], namespace=None)
    node_token = kubectl("create", "token", "default", "--bound-object-kind=Node",
                         f"--bound-object-name={node['metadata']['name']}").strip()
    assert jwt_parts(node_token)[1]["kubernetes.io"]["node"] == {"name": node["metadata"]["name"], "uid": node["metadata"]["uid"]}
    # The Python client's typed TokenRequest.
    request = k8s_client.AuthenticationV1TokenRequest(spec=k8s_client.V1TokenRequestSpec(audiences=["api"], expiration_seconds=900))
    answer = clients.core.create_namespaced_service_account_token("default", ns, request)
    assert answer.status.token.count(".") == 2 and answer.spec.audiences == ["api"]


def test_auth_can_i_and_whoami(kubectl, clients):
    assert kubectl("auth", "can-i", "create", "deployments").strip() == "yes"
    assert kubectl("auth", "can-i", "delete", "nodes", namespace=None).strip() == "yes"
    table = parse_table(kubectl("auth", "whoami"))[0]
    assert table["header"] == ["ATTRIBUTE", "VALUE"]
    assert [(r["ATTRIBUTE"], r["VALUE"]) for r in table["rows"]] == [("Username", "kubernetes-admin"),
                                                                    ("Groups", "[system:masters system:authenticated]")]
    # kubectl's --as: the admin (system:masters) may impersonate anyone, so whoami shows that user.
    impersonated = parse_table(kubectl("auth", "whoami", "--as=alice", "--as-group=devs"))[0]
    assert [(r["ATTRIBUTE"], r["VALUE"]) for r in impersonated["rows"]] == [("Username", "alice"),
                                                                           ("Groups", "[devs system:authenticated]")]
    listing = kubectl("auth", "can-i", "--list")
    assert "*.*" in listing and "[*]" in listing
    review = k8s_client.V1SelfSubjectAccessReview(spec=k8s_client.V1SelfSubjectAccessReviewSpec(
        resource_attributes=k8s_client.V1ResourceAttributes(verb="get", resource="pods", namespace="default")))
    answer = k8s_client.AuthorizationV1Api(clients.api_client).create_self_subject_access_review(review)
    assert answer.status.allowed is True


def test_access_review_validation(raw, ns):
    empty = raw("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews",
                {"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview", "spec": {}})
    status = assert_status(empty, 422, "Invalid")
    assert [c["field"] for c in status["details"]["causes"]] == ["spec.resourceAttributes", "spec.user"]
    assert raw("GET", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews").status_code == 405
    local = raw("POST", f"/apis/authorization.k8s.io/v1/namespaces/{ns}/localsubjectaccessreviews",
                {"spec": {"user": "alice", "resourceAttributes": {"namespace": ns, "verb": "get", "resource": "pods"}}})
    # alice holds nothing under RBAC: denied, with no reason (RBAC gives none when no rule matches).
    assert local.status_code == 201 and local.json()["status"] == {"allowed": False}


def test_bootstrap_cluster_roles(kubectl):
    roles = {r["NAME"]: r for r in parse_table(kubectl("get", "clusterroles", namespace=None))[0]["rows"]}
    for name in ["cluster-admin", "admin", "edit", "view", "system:basic-user", "system:discovery", "system:public-info-viewer"]:
        assert name in roles, name
    assert parse_table(kubectl("get", "clusterroles", namespace=None))[0]["header"] == ["NAME", "CREATED AT"]
    labelled = kubectl.json("get", "clusterroles", "-l", "kubernetes.io/bootstrapping=rbac-defaults", namespace=None)["items"]
    assert len(labelled) == len(roles)
    # The aggregated roles carry their parts' rules.
    view = kubectl.json("get", "clusterrole", "view", namespace=None)
    assert any("pods" in r.get("resources", []) and r["verbs"] == ["get", "list", "watch"] for r in view["rules"])
    admin = kubectl("describe", "clusterrole", "admin", namespace=None)
    assert "rolebindings.rbac.authorization.k8s.io" in admin and "deployments.apps" in admin
    binding = parse_table(kubectl("get", "clusterrolebinding", "cluster-admin", "-o", "wide", namespace=None))[0]["rows"][0]
    assert (binding["ROLE"], binding["GROUPS"]) == ("ClusterRole/cluster-admin", "system:masters")


def test_create_roles_and_bindings(kubectl, ns, cluster_scoped):
    assert kubectl("create", "role", "pod-reader", "--verb=get,list,watch", "--resource=pods").strip() == \
        "role.rbac.authorization.k8s.io/pod-reader created"
    kubectl("create", "sa", "builder")
    kubectl("create", "rolebinding", "read-pods", "--role=pod-reader", "--user=alice", "--group=devs",
            f"--serviceaccount={ns}:builder")
    table = parse_table(kubectl("get", "rolebindings", "-o", "wide"))[0]
    assert table["header"] == ["NAME", "ROLE", "AGE", "USERS", "GROUPS", "SERVICEACCOUNTS"]
    row = table["rows"][0]
    assert (row["NAME"], row["ROLE"], row["USERS"], row["GROUPS"], row["SERVICEACCOUNTS"]) == \
        ("read-pods", "Role/pod-reader", "alice", "devs", f"{ns}/builder")
    assert parse_table(kubectl("get", "roles"))[0]["header"] == ["NAME", "CREATED AT"]
    described = kubectl("describe", "role", "pod-reader")
    assert "pods" in described and "[get list watch]" in described
    described = kubectl("describe", "rolebinding", "read-pods")
    assert "Role:\n  Kind:  Role\n  Name:  pod-reader" in described and "alice" in described

    cluster_scoped("clusterrole", kubectl("create", "clusterrole", f"{ns}-health", "--verb=get",
                                          "--non-resource-url=/healthz", "-o", "name").strip().split("/")[1])
    assert kubectl.json("get", "clusterrole", f"{ns}-health", namespace=None)["rules"] == \
        [{"nonResourceURLs": ["/healthz"], "verbs": ["get"]}]

    changed = kubectl.run("patch", "rolebinding", "read-pods", "--type=merge", "-p", '{"roleRef":{"name":"other"}}')
    assert changed.returncode != 0
    assert 'roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"Role", Name:"other"}: ' \
        'cannot change roleRef' in changed.stderr
    empty = kubectl.run("create", "-f", "-", input=json.dumps({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "empty"},
        "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": []}]}))
    assert "rules[0].verbs: Required value: verbs must contain at least one value" in empty.stderr


def test_python_client_create_from_yaml_identity_objects(clients, ns, tmp_path, kubectl):
    document = tmp_path / "identity.yml"
    document.write_text("""\
apiVersion: v1
kind: ServiceAccount
metadata:
  name: deployer
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: deployments-editor
rules:
- apiGroups: ["apps"]
  resources: ["deployments"]
  verbs: ["get", "list", "create", "update", "patch"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: deployer-edits-deployments
subjects:
- kind: ServiceAccount
  name: deployer
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: deployments-editor
""")
    created = k8s_utils.create_from_yaml(clients.api_client, str(document), namespace=ns)
    assert [objects[0].kind for objects in created] == ["ServiceAccount", "Role", "RoleBinding"]
    rbac = k8s_client.RbacAuthorizationV1Api(clients.api_client)
    binding = rbac.read_namespaced_role_binding("deployer-edits-deployments", ns)
    assert binding.role_ref.name == "deployments-editor" and binding.subjects[0].name == "deployer"
    assert rbac.read_namespaced_role("deployments-editor", ns).rules[0].resources == ["deployments"]
    assert clients.core.read_namespaced_service_account("deployer", ns).metadata.uid


def test_signing_key_and_ca_survive_a_restart(tmp_path):
    """The key and the CA are made once per data directory (0600 keys): a token from before a restart still
    authenticates, kube-root-ca.crt keeps its certificate, and a key file that does not parse stops startup."""
    data_dir = tmp_path / "data"
    for run in ("a", "b"):
        (tmp_path / run).mkdir()
    first = Server(tmp_path / "a", ["--data-dir", data_dir]).start()
    try:
        first.raw("POST", "/api/v1/namespaces/default/serviceaccounts",
                  {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "keeper"}})
        token = first.raw("POST", "/api/v1/namespaces/default/serviceaccounts/keeper/token", {"spec": {}}).json()["status"]["token"]
        ca = wait_for(lambda: (r := first.raw("GET", "/api/v1/namespaces/default/configmaps/kube-root-ca.crt")).status_code == 200
                      and r.json()["data"]["ca.crt"], 20, "kube-root-ca.crt")
    finally:
        first.stop()
    for name, mode in [("sa.key", 0o600), ("ca.key", 0o600), ("ca.crt", 0o644)]:
        assert stat.S_IMODE(os.stat(data_dir / "pki" / name).st_mode) == mode, name
    assert stat.S_IMODE(os.stat(data_dir / "pki").st_mode) == 0o700

    second = Server(tmp_path / "b", ["--data-dir", data_dir]).start()
    try:
        review = second.raw("POST", "/apis/authentication.k8s.io/v1/tokenreviews", {"spec": {"token": token}}).json()["status"]
        assert review["authenticated"] is True, review
        assert second.raw("GET", "/api/v1/namespaces/default/configmaps/kube-root-ca.crt").json()["data"]["ca.crt"] == ca
    finally:
        second.stop()

    (data_dir / "pki" / "sa.key").write_text("not a key")
    result = subprocess.run([kubelite_binary(), "serve", "--port", "0", "--dns-port=-1", "--data-dir", str(data_dir)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "sa.key is not an RSA private key" in result.stdout + result.stderr
