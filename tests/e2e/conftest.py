"""Shared fixtures for the end-to-end suite.

One kubelite serves the whole session (`server`); tests that need a clean server start a private one with
`start_server`. Every test works in its own namespace (`ns`, or more from `make_namespace`), so tests stay
independent of each other and of their order. Every wait has a deadline: nothing sleeps blindly.
"""

import shutil

import pytest
from kubernetes import client as k8s_client

from support import MANIFESTS, Clients, Dig, Kubectl, Server, cluster_dns, create_namespace, namespace_name


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    instance = Server(tmp_path_factory.mktemp("kubelite")).start()
    yield instance
    code = instance.stop()
    assert code == 0, f"session kubelite exited with {code} on SIGTERM; log tail:\n{instance.log_tail()}"


@pytest.fixture(autouse=True)
def session_server_alive(request):
    """Turns a dead session server into one clear failure per test, with its log, instead of connection errors."""
    if "server" not in request.fixturenames:
        yield
        return
    instance = request.getfixturevalue("server")
    if instance.process.poll() is not None:
        pytest.fail(f"the session kubelite had already exited ({instance.process.returncode}); log tail:\n"
                    f"{instance.log_tail()}")
    yield
    if instance.process.poll() is not None:
        pytest.fail(f"the session kubelite exited ({instance.process.returncode}) during this test; log tail:\n"
                    f"{instance.log_tail()}")


@pytest.fixture
def start_server(tmp_path_factory):
    """Starts private kubelites (a clean state, or extra `serve` flags, for tests that need one); all are
    stopped at teardown."""
    started = []

    def start(*args):
        instance = Server(tmp_path_factory.mktemp("private-kubelite"), args).start()
        started.append(instance)
        return instance

    yield start
    for instance in started:
        instance.stop()


@pytest.fixture(scope="module")
def kubectl_cache(tmp_path_factory):
    """kubectl's discovery cache for one test module (never the user's ~/.kube/cache). Per module: a module that
    installs CRDs (in category `all`) and removes them would otherwise leave them in the cache another module's
    `kubectl get all` expands, and kubectl does not refresh its cache for a category member gone from the server."""
    if shutil.which("kubectl") is None:
        pytest.fail("kubectl (1.32) is not on PATH")
    return tmp_path_factory.mktemp("kubectl-cache")


@pytest.fixture
def make_namespace(server, request):
    """Creates a fresh namespace per call; they are deleted (not awaited) after the test."""
    created = []

    def make():
        created.append(create_namespace(server, namespace_name(request)))
        return created[-1]

    yield make
    for name in created:
        server.raw("DELETE", f"/api/v1/namespaces/{name}")


@pytest.fixture
def ns(make_namespace):
    return make_namespace()


@pytest.fixture
def kubectl(server, kubectl_cache, ns):
    """The real kubectl, pointed at the session server, in this test's namespace."""
    return Kubectl(server, kubectl_cache, namespace=ns)


@pytest.fixture
def raw(server):
    """raw(method, path, body=None, headers=None) -> requests.Response against the session server."""
    return server.raw


@pytest.fixture(scope="session")
def clients(server):
    api_client = server.api_client()
    yield Clients(
        api_client=api_client,
        core=k8s_client.CoreV1Api(api_client),
        apps=k8s_client.AppsV1Api(api_client),
        storage=k8s_client.StorageV1Api(api_client),
        discovery=k8s_client.DiscoveryV1Api(api_client),
        coordination=k8s_client.CoordinationV1Api(api_client),
    )
    api_client.close()


@pytest.fixture
def manifests():
    return MANIFESTS




@pytest.fixture
def dig(server):
    """The real `dig`, asking the session server's cluster DNS."""
    return Dig(cluster_dns(server))


@pytest.fixture
def cluster_scoped(server, kubectl_cache):
    """Cluster-scoped objects a test creates (StorageClasses, PersistentVolumes): `cluster_scoped(kind, name)`
    records one, deleted (not awaited) after the test so the session server's cluster stays tidy."""
    created = []

    def record(kind, name):
        created.append((kind, name))
        return name

    yield record
    kubectl = Kubectl(server, kubectl_cache, namespace=None)
    for kind, name in reversed(created):
        kubectl.run("delete", kind, name, "--ignore-not-found", "--wait=false")
