"""Discovery (legacy and aggregated v2) and OpenAPI v3, as kubectl and client libraries read them."""

import pytest

AGGREGATED_ACCEPT = ("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
                     "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json")
GROUPS = {"apps": "v1", "batch": "v1", "coordination.k8s.io": "v1", "discovery.k8s.io": "v1", "networking.k8s.io": "v1",
          "storage.k8s.io": "v1"}
ALL_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]


def media_params(content_type):
    """'application/json; g=x;v=y' -> ('application/json', {'g': 'x', 'v': 'y'})"""
    parts = [p.strip() for p in content_type.split(";")]
    return parts[0], dict(p.split("=", 1) for p in parts[1:] if "=" in p)


def test_version(raw):
    response = raw("GET", "/version")
    assert response.status_code == 200
    version = response.json()
    assert version["major"] == "1"
    assert version["minor"].rstrip("+").isdigit()
    assert version["gitVersion"].startswith(f"v1.{version['minor'].rstrip('+')}.")
    for key in ["gitCommit", "gitTreeState", "buildDate", "goVersion", "compiler", "platform"]:
        assert key in version, version


@pytest.mark.parametrize("path", ["/healthz", "/livez", "/readyz"])
def test_health_endpoints(raw, path):
    response = raw("GET", path)
    assert response.status_code == 200 and response.text == "ok"


def test_legacy_api(raw):
    document = raw("GET", "/api", headers={"Accept": "application/json"}).json()
    assert document["kind"] == "APIVersions"
    assert document["versions"] == ["v1"]
    assert document["serverAddressByClientCIDRs"], document


def test_legacy_apis(raw):
    document = raw("GET", "/apis", headers={"Accept": "application/json"}).json()
    assert document["kind"] == "APIGroupList" and document["apiVersion"] == "v1"
    groups = {group["name"]: group for group in document["groups"]}
    for name, version in GROUPS.items():
        group = groups[name]
        expected = {"groupVersion": f"{name}/{version}", "version": version}
        assert group["versions"] == [expected], group
        assert group["preferredVersion"] == expected, group


def resource_list(raw, path):
    response = raw("GET", path, headers={"Accept": "application/json"})
    assert response.status_code == 200, response.text
    document = response.json()
    assert document["kind"] == "APIResourceList"
    return document, {resource["name"]: resource for resource in document["resources"]}


def test_legacy_core_v1(raw):
    document, resources = resource_list(raw, "/api/v1")
    assert document["groupVersion"] == "v1"
    pods = resources["pods"]
    assert (pods["singularName"], pods["namespaced"], pods["kind"]) == ("pod", True, "Pod")
    assert sorted(pods["verbs"]) == ALL_VERBS
    assert pods["shortNames"] == ["po"] and pods["categories"] == ["all"]
    assert resources["pods/status"]["kind"] == "Pod"
    assert sorted(resources["pods/status"]["verbs"]) == ["get", "patch", "update"]
    namespaces = resources["namespaces"]
    assert namespaces["namespaced"] is False
    assert sorted(namespaces["verbs"]) == ["create", "delete", "get", "list", "patch", "update", "watch"]
    for name in ["configmaps", "endpoints", "events", "nodes", "persistentvolumeclaims", "persistentvolumes",
                 "secrets", "services"]:
        assert name in resources, name
    rc = resources["replicationcontrollers"]
    assert (rc["kind"], rc["shortNames"], rc["categories"]) == ("ReplicationController", ["rc"], ["all"])
    assert resources["replicationcontrollers/scale"]["kind"] == "Scale"


def test_legacy_apps_v1(raw):
    document, resources = resource_list(raw, "/apis/apps/v1")
    assert document["groupVersion"] == "apps/v1"
    sts = resources["statefulsets"]
    assert (sts["singularName"], sts["namespaced"], sts["kind"]) == ("statefulset", True, "StatefulSet")
    assert sts["shortNames"] == ["sts"] and sts["categories"] == ["all"]
    assert sorted(sts["verbs"]) == ALL_VERBS
    scale = resources["statefulsets/scale"]
    assert (scale["group"], scale["version"], scale["kind"]) == ("autoscaling", "v1", "Scale"), scale
    assert sorted(scale["verbs"]) == ["get", "patch", "update"]
    assert resources["statefulsets/status"]["kind"] == "StatefulSet"
    assert resources["controllerrevisions"]["kind"] == "ControllerRevision"
    ds = resources["daemonsets"]
    assert (ds["kind"], ds["shortNames"], ds["categories"]) == ("DaemonSet", ["ds"], ["all"])
    assert "daemonsets/status" in resources and "daemonsets/scale" not in resources


@pytest.mark.parametrize("group,resource,kind", [
    ("storage.k8s.io", "storageclasses", "StorageClass"),
    ("discovery.k8s.io", "endpointslices", "EndpointSlice"),
    ("coordination.k8s.io", "leases", "Lease"),
    ("batch", "jobs", "Job"),
    ("batch", "cronjobs", "CronJob"),
    ("networking.k8s.io", "ingresses", "Ingress"),
    ("networking.k8s.io", "ingressclasses", "IngressClass"),
])
def test_legacy_other_groups(raw, group, resource, kind):
    document, resources = resource_list(raw, f"/apis/{group}/v1")
    assert document["groupVersion"] == f"{group}/v1"
    assert resources[resource]["kind"] == kind


def aggregated(raw, path):
    response = raw("GET", path, headers={"Accept": AGGREGATED_ACCEPT})
    assert response.status_code == 200, response.text
    media, params = media_params(response.headers["Content-Type"])
    assert media == "application/json"
    assert params == {"g": "apidiscovery.k8s.io", "v": "v2", "as": "APIGroupDiscoveryList"}, response.headers
    document = response.json()
    assert document["kind"] == "APIGroupDiscoveryList"
    assert document["apiVersion"] == "apidiscovery.k8s.io/v2"
    return document


def test_aggregated_discovery_core(raw):
    document = aggregated(raw, "/api")
    assert len(document["items"]) == 1
    (version,) = document["items"][0]["versions"]
    assert version["version"] == "v1" and version["freshness"] == "Current"
    resources = {r["resource"]: r for r in version["resources"]}
    pods = resources["pods"]
    assert pods["responseKind"] == {"group": "", "version": "v1", "kind": "Pod"}
    assert pods["scope"] == "Namespaced" and pods["singularResource"] == "pod"
    assert pods["shortNames"] == ["po"]
    assert sorted(pods["verbs"]) == ALL_VERBS
    assert "status" in [s["subresource"] for s in pods["subresources"]]
    assert resources["nodes"]["scope"] == "Cluster"


def test_aggregated_discovery_groups(raw):
    document = aggregated(raw, "/apis")
    groups = {item["metadata"]["name"]: item for item in document["items"]}
    for name, version in GROUPS.items():
        assert [v["version"] for v in groups[name]["versions"]] == [version], groups[name]
    apps = {r["resource"]: r for r in groups["apps"]["versions"][0]["resources"]}
    sts = apps["statefulsets"]
    assert sts["responseKind"] == {"group": "apps", "version": "v1", "kind": "StatefulSet"}
    assert sts["shortNames"] == ["sts"] and sts["categories"] == ["all"]
    subresources = {s["subresource"]: s for s in sts["subresources"]}
    assert subresources["scale"]["responseKind"] == {"group": "autoscaling", "version": "v1", "kind": "Scale"}
    assert sorted(subresources["scale"]["verbs"]) == ["get", "patch", "update"]
    assert "status" in subresources


def openapi_index(raw):
    response = raw("GET", "/openapi/v3")
    assert response.status_code == 200, response.text
    return response.json()["paths"]


def test_openapi_v3_index(raw):
    paths = openapi_index(raw)
    for key in ["api/v1", "apis/apps/v1", "apis/batch/v1", "apis/storage.k8s.io/v1", "apis/discovery.k8s.io/v1",
                "apis/coordination.k8s.io/v1", "apis/networking.k8s.io/v1"]:
        assert paths[key]["serverRelativeURL"].startswith(f"/openapi/v3/{key}"), paths.get(key)


def test_openapi_v3_apps_v1_document(raw):
    url = openapi_index(raw)["apis/apps/v1"]["serverRelativeURL"]
    response = raw("GET", url)
    assert response.status_code == 200, response.text
    document = response.json()
    assert document["openapi"].startswith("3.")
    schemas = document["components"]["schemas"]
    sts = schemas["io.k8s.api.apps.v1.StatefulSet"]
    assert sts["x-kubernetes-group-version-kind"] == [{"group": "apps", "kind": "StatefulSet", "version": "v1"}]
    spec = schemas["io.k8s.api.apps.v1.StatefulSetSpec"]
    for field in ["replicas", "serviceName", "selector", "template", "volumeClaimTemplates"]:
        assert field in spec["properties"], field
    containers = schemas["io.k8s.api.core.v1.PodSpec"]["properties"]["containers"]
    assert containers["x-kubernetes-patch-merge-key"] == "name"
    assert containers["x-kubernetes-patch-strategy"] == "merge"
    ports = schemas["io.k8s.api.core.v1.Container"]["properties"]["ports"]
    assert ports["x-kubernetes-patch-merge-key"] == "containerPort"
    assert ports["x-kubernetes-list-type"] == "map"
    item = document["paths"]["/apis/apps/v1/namespaces/{namespace}/statefulsets/{name}"]
    assert {"get", "put", "patch", "delete"} <= set(item), sorted(item)
    parameters = {p.get("name") for p in item["patch"].get("parameters", [])}
    assert "fieldValidation" in parameters, "kubectl looks for fieldValidation to use server-side validation"


def test_openapi_v3_core_document(raw):
    url = openapi_index(raw)["api/v1"]["serverRelativeURL"]
    schemas = raw("GET", url).json()["components"]["schemas"]
    pod = schemas["io.k8s.api.core.v1.Pod"]
    assert pod["x-kubernetes-group-version-kind"] == [{"group": "", "kind": "Pod", "version": "v1"}]
