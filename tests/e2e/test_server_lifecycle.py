"""A private kubelite: a clean start shows exactly the initial namespaces, and SIGTERM stops it cleanly."""

from support import Kubectl, parse_table


def test_clean_server_has_the_initial_namespaces_and_stops_on_sigterm(start_server, kubectl_cache):
    private = start_server()
    kubectl = Kubectl(private, kubectl_cache)
    block = parse_table(kubectl("get", "ns"))[0]
    assert block["header"] == ["NAME", "STATUS", "AGE"]
    assert sorted(row["NAME"] for row in block["rows"]) == ["default", "kube-node-lease", "kube-public",
                                                            "kube-system"]
    assert {row["STATUS"] for row in block["rows"]} == {"Active"}

    assert private.stop() == 0, f"kubelite exited non-zero on SIGTERM; log tail:\n{private.log_tail()}"
