"""CustomResourceDefinitions: a CRD in an operator's manifest style is established and served at once;
kubectl prints its printer columns, explains its schema, scales it and deletes it (objects first); the
Python dynamic client does CRUD, selectors, status and scale on its objects."""

import json
import secrets

import pytest
import yaml
from kubernetes import dynamic
from kubernetes.client.rest import ApiException

from support import MANIFESTS, Kubectl, Server, assert_status, parse_table, wait_for


def crd_manifest(group):
    return (MANIFESTS / "crd-memcached.yaml").read_text().replace("GROUP", group)


@pytest.fixture
def group(server, kubectl_cache):
    """A fresh API group with the Memcached CRD installed and Established; removed after the test."""
    name = f"e2e{secrets.token_hex(3)}.example.com"
    cluster = Kubectl(server, kubectl_cache, namespace=None)
    cluster("apply", "-f", "-", input=crd_manifest(name))
    cluster("wait", "--for", "condition=Established", f"crd/memcacheds.{name}", "--timeout=10s")
    yield name
    cluster.run("delete", "crd", f"memcacheds.{name}", "--ignore-not-found", "--wait=false")


def memcached(name, group, size=1, tier="gold", **extra):
    return {"apiVersion": f"{group}/v1alpha1", "kind": "Memcached", "metadata": {"name": name, **extra},
            "spec": {"size": size, "image": "memcached:1.6", "tier": tier}}


def test_crd_status_reports_accepted_names_and_conditions(server, kubectl_cache, group):
    crd = Kubectl(server, kubectl_cache, namespace=None).json("get", "crd", f"memcacheds.{group}")
    status = crd["status"]
    assert status["acceptedNames"] == {"kind": "Memcached", "listKind": "MemcachedList", "plural": "memcacheds",
                                       "singular": "memcached", "shortNames": ["mc"], "categories": ["all"]}
    assert status["storedVersions"] == ["v1alpha1"]
    conditions = {c["type"]: c for c in status["conditions"]}
    assert conditions["NamesAccepted"]["status"] == "True" and conditions["NamesAccepted"]["reason"] == "NoConflicts"
    assert conditions["Established"]["status"] == "True"
    assert conditions["Established"]["reason"] == "InitialNamesAccepted"
    assert crd["spec"]["conversion"] == {"strategy": "None"}


def test_kubectl_get_prints_printer_columns_and_scales(kubectl, group, ns):
    body = memcached("cache", group, size=2)
    kubectl("apply", "-f", "-", input=yaml.safe_dump(body))
    kubectl("patch", f"memcacheds.{group}", "cache", "--subresource=status", "--type=merge",
            "-p", json.dumps({"status": {"readyReplicas": 2, "replicas": 2, "selector": "app=cache",
                                         "conditions": [{"type": "Available", "status": "True"}]}}))
    table = parse_table(kubectl("get", f"memcacheds.{group}"))[0]
    assert table["header"] == ["NAME", "SIZE", "READY", "AVAILABLE", "AGE"]
    row = table["rows"][0]
    assert (row["NAME"], row["SIZE"], row["READY"], row["AVAILABLE"]) == ("cache", "2", "2", "True")
    wide = parse_table(kubectl("get", f"memcacheds.{group}", "-o", "wide"))[0]
    assert wide["header"] == ["NAME", "SIZE", "READY", "AVAILABLE", "IMAGE", "AGE"]
    assert wide["rows"][0]["IMAGE"] == "memcached:1.6"
    # the short name and the "all" category reach it too
    assert "cache" in kubectl("get", "mc")
    assert f"memcached.{group}/cache" in kubectl("get", "all")

    assert "scaled" in kubectl("scale", f"memcacheds.{group}/cache", "--replicas=4")
    obj = kubectl.json("get", f"memcacheds.{group}", "cache")
    assert obj["spec"]["size"] == 4
    assert obj["metadata"]["generation"] == 2  # the status write did not move it; the scale did
    assert obj["status"]["readyReplicas"] == 2
    scale = json.loads(kubectl("get", "--raw", f"/apis/{group}/v1alpha1/namespaces/{ns}/memcacheds/cache/scale"))
    assert scale["kind"] == "Scale" and scale["apiVersion"] == "autoscaling/v1"
    assert scale["spec"] == {"replicas": 4}
    assert scale["status"] == {"replicas": 2, "selector": "app=cache"}


def test_kubectl_explain_walks_the_schema(kubectl, group):
    # explain takes the group through --api-version (a dotted name is read as a field path)
    out = kubectl("explain", "memcacheds.spec", f"--api-version={group}/v1alpha1")
    assert "MemcachedSpec defines the desired state of Memcached" in out
    assert "size\t<integer>" in out and "Size defines the number of Memcached instances" in out
    out = kubectl("explain", "memcacheds.metadata.labels", f"--api-version={group}/v1alpha1")
    assert "map[string]string" in out


def test_discovery_and_openapi_list_the_custom_resource(raw, group):
    group_doc = raw("GET", f"/apis/{group}").json()
    assert group_doc["preferredVersion"] == {"groupVersion": f"{group}/v1alpha1", "version": "v1alpha1"}
    resources = {r["name"]: r for r in raw("GET", f"/apis/{group}/v1alpha1").json()["resources"]}
    assert resources["memcacheds"]["shortNames"] == ["mc"] and resources["memcacheds"]["categories"] == ["all"]
    assert resources["memcacheds/scale"]["kind"] == "Scale" and "memcacheds/status" in resources
    aggregated = raw("GET", "/apis", headers={
        "Accept": "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"}).json()
    assert group in [item["metadata"]["name"] for item in aggregated["items"]]
    index = raw("GET", "/openapi/v3").json()["paths"]
    assert f"apis/{group}/v1alpha1" in index
    document = raw("GET", index[f"apis/{group}/v1alpha1"]["serverRelativeURL"]).json()
    kind_name = ".".join(reversed(group.split("."))) + ".v1alpha1.Memcached"
    schema = document["components"]["schemas"][kind_name]
    assert schema["x-kubernetes-group-version-kind"] == [{"group": group, "kind": "Memcached", "version": "v1alpha1"}]
    assert "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta" in document["components"]["schemas"]
    v2 = raw("GET", "/openapi/v2", headers={"Accept": "application/json"}).json()
    assert v2["definitions"][kind_name]["x-kubernetes-group-version-kind"][0]["group"] == group
    assert f"/apis/{group}/v1alpha1/namespaces/{{namespace}}/memcacheds" in v2["paths"]


def test_python_dynamic_client_crud(server, group, ns):
    client = dynamic.DynamicClient(server.api_client())
    api = client.resources.get(api_version=f"{group}/v1alpha1", kind="Memcached")
    created = api.create(body=memcached("one", group, size=1, tier="gold", labels={"app": "one"}), namespace=ns)
    assert created.metadata.generation == 1 and created.metadata.uid
    api.create(body=memcached("two", group, size=3, tier="silver", labels={"app": "two"}), namespace=ns)

    assert [i.metadata.name for i in api.get(namespace=ns).items] == ["one", "two"]
    assert [i.metadata.name for i in api.get(namespace=ns, label_selector="app=two").items] == ["two"]
    assert [i.metadata.name for i in api.get(namespace=ns, field_selector="spec.tier=gold").items] == ["one"]
    assert [i.metadata.name for i in api.get(namespace=ns, field_selector="metadata.name=two").items] == ["two"]
    with pytest.raises(ApiException) as unsupported:
        api.get(namespace=ns, field_selector="spec.image=x")
    assert unsupported.value.status == 400

    patched = api.patch(name="one", namespace=ns, body={"spec": {"size": 2}}, content_type="application/merge-patch+json")
    assert patched.spec.size == 2 and patched.metadata.generation == 2
    patched = api.patch(name="one", namespace=ns, body=[{"op": "replace", "path": "/spec/tier", "value": "bronze"}],
                        content_type="application/json-patch+json")
    assert patched.spec.tier == "bronze"
    with pytest.raises(ApiException) as strategic:
        api.patch(name="one", namespace=ns, body={"spec": {"size": 3}}, content_type="application/strategic-merge-patch+json")
    assert strategic.value.status == 415

    current = api.get(name="one", namespace=ns).to_dict()
    current["spec"]["image"] = "memcached:1.7"
    current["status"] = {"replicas": 9}  # ignored by the main resource: status is a subresource
    replaced = api.replace(body=current, namespace=ns)
    assert replaced.spec.image == "memcached:1.7" and replaced.status is None and replaced.metadata.generation == 4

    status = api.subresources["status"]
    body = api.get(name="one", namespace=ns).to_dict()
    body["status"] = {"replicas": 2, "readyReplicas": 1}
    updated = status.replace(body=body, namespace=ns)
    assert updated.status.readyReplicas == 1 and updated.metadata.generation == 4

    stale = dict(body, metadata=dict(body["metadata"], resourceVersion="1"))
    with pytest.raises(ApiException) as conflict:
        api.replace(body=stale, namespace=ns)
    assert conflict.value.status == 409

    api.delete(name="one", namespace=ns)
    assert [i.metadata.name for i in api.get(namespace=ns).items] == ["two"]


def test_watch_sees_custom_objects(server, raw, group, ns):
    path = f"/apis/{group}/v1alpha1/namespaces/{ns}/memcacheds"
    rv = raw("GET", path).json()["metadata"]["resourceVersion"]
    assert raw("POST", path, memcached("w", group)).status_code == 201
    assert raw("DELETE", f"{path}/w").status_code == 200
    response = raw("GET", path, params={"watch": "true", "resourceVersion": rv, "timeoutSeconds": "2"})
    events = [json.loads(line) for line in response.text.splitlines() if line]
    assert [e["type"] for e in events] == ["ADDED", "DELETED"]
    assert events[0]["object"]["kind"] == "Memcached"


def test_invalid_crd_gets_upstreams_causes(raw):
    body = yaml.safe_load(crd_manifest("bad.example.com"))
    body["metadata"]["name"] = "wrong.bad.example.com"
    body["spec"]["versions"][0]["storage"] = False
    response = raw("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", body)
    status = assert_status(response, 422, "Invalid")
    messages = {c["field"]: c["message"] for c in status["details"]["causes"]}
    assert messages["metadata.name"] == 'Invalid value: "wrong.bad.example.com": must be spec.names.plural+"."+spec.group'
    assert "must have exactly one version marked as storage version" in messages["spec.versions"]


def test_name_conflict_is_reported_and_not_served(server, kubectl_cache, group):
    cluster = Kubectl(server, kubectl_cache, namespace=None)
    other = yaml.safe_load(crd_manifest(group))
    other["metadata"]["name"] = f"caches.{group}"
    other["spec"]["names"] = {"kind": "Memcached", "plural": "caches", "shortNames": ["mc"]}
    cluster("create", "-f", "-", input=yaml.safe_dump(other))
    try:
        def names_condition():
            crd = cluster.json("get", "crd", f"caches.{group}")
            return {c["type"]: c for c in crd.get("status", {}).get("conditions", [])}.get("NamesAccepted")
        condition = wait_for(names_condition, 10, "the naming condition")
        assert condition["status"] == "False"
        # every name is checked and the last conflict found is the one reported, as upstream's naming controller does
        assert (condition["reason"], condition["message"]) == ("ListKindConflict", '"MemcachedList" is already in use')
        crd = cluster.json("get", "crd", f"caches.{group}")
        established = {c["type"]: c for c in crd["status"]["conditions"]}["Established"]
        assert (established["status"], established["reason"]) == ("False", "NotAccepted")
        assert server.raw("GET", f"/apis/{group}/v1alpha1/caches").status_code == 404
    finally:
        cluster.run("delete", "crd", f"caches.{group}", "--wait=false")


def test_kubectl_delete_crd_removes_objects_first(server, kubectl_cache, kubectl, group, ns, make_namespace):
    other = make_namespace()
    for namespace in (ns, other):
        kubectl("apply", "-n", namespace, "-f", "-", input=yaml.safe_dump(memcached("c", group)))
    cluster = Kubectl(server, kubectl_cache, namespace=None)
    cluster("delete", "crd", f"memcacheds.{group}", "--timeout=20s")
    assert cluster.run("get", "crd", f"memcacheds.{group}").returncode != 0
    assert server.raw("GET", f"/apis/{group}/v1alpha1/memcacheds").status_code == 404
    # made again, the resource starts empty: the old objects went with the old definition
    cluster("apply", "-f", "-", input=crd_manifest(group))
    cluster("wait", "--for", "condition=Established", f"crd/memcacheds.{group}", "--timeout=10s")
    assert server.raw("GET", f"/apis/{group}/v1alpha1/memcacheds").json()["items"] == []


def test_garbage_collector_and_namespace_deletion_reach_custom_objects(raw, group, ns, make_namespace):
    owner = raw("POST", f"/api/v1/namespaces/{ns}/configmaps",
                {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "owner"}}).json()
    ref = {"apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": owner["metadata"]["uid"]}
    path = f"/apis/{group}/v1alpha1/namespaces/{ns}/memcacheds"
    assert raw("POST", path, memcached("owned", group, ownerReferences=[ref])).status_code == 201
    raw("DELETE", f"/api/v1/namespaces/{ns}/configmaps/owner")
    wait_for(lambda: raw("GET", f"{path}/owned").status_code == 404, 10, "the dependent custom object to be collected")

    doomed = make_namespace()
    assert raw("POST", f"/apis/{group}/v1alpha1/namespaces/{doomed}/memcacheds", memcached("x", group)).status_code == 201
    raw("DELETE", f"/api/v1/namespaces/{doomed}")
    wait_for(lambda: raw("GET", f"/api/v1/namespaces/{doomed}").status_code == 404, 10, "the namespace to go")
    assert raw("GET", f"/apis/{group}/v1alpha1/namespaces/{doomed}/memcacheds/x").status_code == 404


def test_crd_and_objects_survive_a_restart_on_the_durable_store(tmp_path):
    data = tmp_path / "data"
    group = "durable.example.com"
    for name in ("first", "second"):
        (tmp_path / name).mkdir()
    first = Server(tmp_path / "first", ["--data-dir", str(data)]).start()
    try:
        crd = yaml.safe_load(crd_manifest(group))
        assert first.raw("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd).status_code == 201
        path = f"/apis/{group}/v1alpha1/namespaces/default/memcacheds"
        wait_for(lambda: first.raw("GET", path).status_code == 200, 10, "the resource to be served")
        stored = first.raw("POST", path, memcached("kept", group)).json()
    finally:
        assert first.stop() == 0
    second = Server(tmp_path / "second", ["--data-dir", str(data)]).start()
    try:
        # served from the first request: the CRD was Established before the restart
        again = second.raw("GET", f"{path}/kept")
        assert again.status_code == 200, again.text
        assert again.json()["metadata"]["resourceVersion"] == stored["metadata"]["resourceVersion"]
        assert again.json()["metadata"]["uid"] == stored["metadata"]["uid"]
        crd = second.raw("GET", f"/apis/apiextensions.k8s.io/v1/customresourcedefinitions/memcacheds.{group}").json()
        assert {c["type"]: c["status"] for c in crd["status"]["conditions"]}["Established"] == "True"
    finally:
        assert second.stop() == 0


def test_several_versions_share_objects_reads_and_watches(server, kubectl_cache, raw, ns):
    group = f"e2e{secrets.token_hex(3)}.example.com"
    crd = yaml.safe_load(crd_manifest(group))
    beta = dict(crd["spec"]["versions"][0], name="v1beta1", storage=False)
    crd["spec"]["versions"].insert(0, beta)
    cluster = Kubectl(server, kubectl_cache, namespace=None)
    cluster("create", "-f", "-", input=yaml.safe_dump(crd))
    try:
        cluster("wait", "--for", "condition=Established", f"crd/memcacheds.{group}", "--timeout=10s")
        # upstream's version priority: a beta is preferred to an alpha, whichever stores
        assert raw("GET", f"/apis/{group}").json()["preferredVersion"]["version"] == "v1beta1"
        beta_path = f"/apis/{group}/v1beta1/namespaces/{ns}/memcacheds"
        rv = raw("GET", beta_path).json()["metadata"]["resourceVersion"]
        body = dict(memcached("m", group), apiVersion=f"{group}/v1beta1")
        created = raw("POST", beta_path, body)
        assert created.status_code == 201 and created.json()["apiVersion"] == f"{group}/v1beta1"
        stored = raw("GET", f"/apis/{group}/v1alpha1/namespaces/{ns}/memcacheds/m").json()
        assert stored["apiVersion"] == f"{group}/v1alpha1"
        watch = raw("GET", beta_path, params={"watch": "true", "resourceVersion": rv, "timeoutSeconds": "1"})
        events = [json.loads(line) for line in watch.text.splitlines() if line]
        assert [(e["type"], e["object"]["apiVersion"]) for e in events] == [("ADDED", f"{group}/v1beta1")]
    finally:
        cluster.run("delete", "crd", f"memcacheds.{group}", "--wait=false")


def test_invalid_custom_objects_get_upstreams_causes_and_unknown_fields_are_pruned(kubectl, group, ns):
    """The CRD's structural schema on writes: 422 with the schema's causes, unknown fields pruned (or refused when
    strict, as kubectl asks by default), and server-side apply of a custom object a no-op when repeated."""
    bad = memcached("too-big", group, size=9)
    bad["spec"]["image"] = 5
    result = kubectl.run("apply", "-f", "-", input=json.dumps(bad))
    assert result.returncode == 1
    assert f'The Memcached "too-big" is invalid:' in result.stderr, result.stderr
    assert "spec.size: Invalid value: 9: spec.size in body should be less than or equal to 5" in result.stderr, result.stderr
    assert 'spec.image: Invalid value: "integer": spec.image in body must be of type string: "integer"' in result.stderr, \
        result.stderr
    extra = memcached("extra", group)
    extra["spec"]["colour"] = "blue"
    strict = kubectl.run("apply", "-f", "-", input=json.dumps(extra))
    assert strict.returncode == 1 and 'unknown field "spec.colour"' in strict.stderr, strict.stderr
    kubectl("apply", "--validate=false", "-f", "-", input=json.dumps(extra))
    assert "colour" not in kubectl.json("get", f"memcacheds.{group}", "extra")["spec"]
    applied = memcached("applied", group)
    kubectl("apply", "--server-side", "-f", "-", input=json.dumps(applied))
    before = kubectl.json("get", f"memcacheds.{group}", "applied")["metadata"]["resourceVersion"]
    kubectl("apply", "--server-side", "-f", "-", input=json.dumps(applied))
    assert kubectl.json("get", f"memcacheds.{group}", "applied")["metadata"]["resourceVersion"] == before
