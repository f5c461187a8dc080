"""A private kubelite: a clean start shows exactly the initial namespaces, and SIGTERM stops it cleanly."""

from support import Kubectl, assert_status, create_namespace, parse_table, wait_for


def test_clean_server_has_the_initial_namespaces_and_stops_on_sigterm(start_server, kubectl_cache):
    private = start_server()
    kubectl = Kubectl(private, kubectl_cache)
    block = parse_table(kubectl("get", "ns"))[0]
    assert block["header"] == ["NAME", "STATUS", "AGE"]
    assert sorted(row["NAME"] for row in block["rows"]) == ["default", "kube-node-lease", "kube-public",
                                                            "kube-system"]
    assert {row["STATUS"] for row in block["rows"]} == {"Active"}

    assert private.stop() == 0, f"kubelite exited non-zero on SIGTERM; log tail:\n{private.log_tail()}"


def test_system_namespaces_may_not_be_deleted(start_server):
    # a private server: on a server with this bug the session's `default` namespace would be gone
    private = start_server()
    for name in ["default", "kube-system", "kube-public"]:
        assert_status(private.raw("DELETE", f"/api/v1/namespaces/{name}"), 403, "Forbidden",
                      f'namespaces "{name}" is forbidden: this namespace may not be deleted')
        assert private.raw("GET", f"/api/v1/namespaces/{name}").status_code == 200


def test_deleting_a_namespace_deletes_its_contents(server, make_namespace):
    name = make_namespace()
    assert server.raw("POST", f"/api/v1/namespaces/{name}/configmaps",
                      {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "inside"}}).status_code == 201
    assert server.raw("DELETE", f"/api/v1/namespaces/{name}").status_code in (200, 202)
    wait_for(lambda: server.raw("GET", f"/api/v1/namespaces/{name}").status_code == 404, 20,
             f"namespace {name} to be finalized and removed")
    create_namespace(server, name)
    assert server.raw("GET", f"/api/v1/namespaces/{name}/configmaps/inside").status_code == 404, (
        "a ConfigMap survived the deletion of its namespace")
