"""The container image, read from docker/Dockerfile, docker/compose.yaml, docker/compose.etcd.yaml and the
README (Docker is not needed): a non-root user, the durable store in a volume owned by that user, kubelite
binding the container's interface over HTTPS with RBAC (issue 17) and writing the admin kubeconfig into the
volume, every library it links installed, every documented publish on the host's loopback; and the
three-member etcd file (issue 18): every replica on every member, distinct nodes, one image, shared pki."""
import re
import shlex
import json
import subprocess

import yaml

from support import REPO_ROOT, kubelite_binary

DATA_DIR = "/var/lib/kubelite"


def instructions(path):
    """The Dockerfile's instructions of its last stage as (KEYWORD, arguments), continuation lines joined,
    comments dropped; every line must start with a known instruction (a syntax check without Docker)."""
    known = {"FROM", "RUN", "CMD", "LABEL", "EXPOSE", "ENV", "ADD", "COPY", "ENTRYPOINT", "VOLUME", "USER",
             "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL"}
    joined, current = [], ""
    for line in path.read_text().splitlines():
        if not current and (not line.strip() or line.lstrip().startswith("#")):
            continue
        current += line.rstrip()[:-1] + " " if line.rstrip().endswith("\\") else line
        if not line.rstrip().endswith("\\"):
            joined.append(current.strip())
            current = ""
    assert not current, "the Dockerfile ends inside a continued line"
    parsed = [tuple(line.split(None, 1)) for line in joined]
    for keyword, _ in parsed:
        assert keyword.upper() in known and keyword == keyword.upper(), f"unknown instruction {keyword}"
    stages = [i for i, (keyword, _) in enumerate(parsed) if keyword == "FROM"]
    return parsed[stages[-1]:]


def one(stage, keyword):
    found = [args for k, args in stage if k == keyword]
    assert len(found) == 1, f"expected one {keyword} in the runtime stage, found {found}"
    return found[0]


def test_runtime_image_runs_as_a_non_root_user_with_data_in_a_volume():
    stage = instructions(REPO_ROOT / "docker" / "Dockerfile")
    user = one(stage, "USER").split(":")[0]
    assert user not in ("root", "0"), "the image must not run as root"
    uid = user if user.isdigit() else None
    run = " ".join(args for k, args in stage if k == "RUN")
    created = re.search(r"useradd\b[^&;]*--uid (\d+)[^&;]*", run)
    assert created, "the runtime stage creates no user with a fixed uid"
    assert uid is None or uid == created.group(1), "USER names another uid than the one created"
    assert re.search(rf"install -d -o kubelite -g kubelite -m 0700 {DATA_DIR}\b", run), (
        "the data directory must exist owned by the user (mode 0700: Secrets are stored there)")
    volume = one(stage, "VOLUME")
    assert (json.loads(volume) if volume.startswith("[") else shlex.split(volume)) == [DATA_DIR]
    order = [k for k, _ in stage]
    assert order.index("VOLUME") > max(i for i, k in enumerate(order) if k == "RUN"), (
        "VOLUME must come after the RUN that creates and chowns its directory (later changes are discarded)")
    entrypoint = json.loads(one(stage, "ENTRYPOINT"))
    assert entrypoint[:2] == ["kubelite", "serve"]
    flags = dict(zip(entrypoint[2::2], entrypoint[3::2]))
    assert flags["--data-dir"] == DATA_DIR
    assert flags["--bind-address"] == "0.0.0.0", "inside the container kubelite binds the container's interface"
    assert "--in-memory" not in entrypoint
    # HTTPS with RBAC (the defaults once --port is not given), and the admin kubeconfig kept in the volume.
    assert "--port" not in flags, "the image must not serve plain HTTP"
    assert flags["--secure-port"] == "6443"
    assert flags.get("--authorization-mode", "RBAC").split(",")[0] != "AlwaysAllow"
    assert flags["--kubeconfig"].startswith(DATA_DIR + "/")
    exposed = one(stage, "EXPOSE").split()
    assert "6443" in exposed or "6443/tcp" in exposed


# Packages every debian:bookworm-slim has (Priority required, or what apt itself needs).
BASE_PACKAGES = {"libc6", "zlib1g", "libstdc++6", "libgcc-s1"}


def test_runtime_stage_installs_the_libraries_the_binary_links():
    """Each shared library kubelite names (readelf NEEDED) that a Debian package ships here must be installed in
    the runtime stage, or come with the slim base; the Swift runtime is linked statically there."""
    binary = kubelite_binary()
    needed = re.findall(r"\(NEEDED\).*\[(.+)\]", subprocess.run(["readelf", "-d", binary], capture_output=True,
                                                                   text=True, check=True).stdout)
    packages = set()
    for library in needed:
        found = subprocess.run(["dpkg", "-S", f"*/{library}"], capture_output=True, text=True)
        if found.returncode == 0:  # the Swift toolchain's libraries belong to no package
            packages |= {line.split(":")[0] for line in found.stdout.splitlines() if line.strip()}
    assert {"libmicrohttpd12", "libsqlite3-0"} <= packages, packages
    stage = instructions(REPO_ROOT / "docker" / "Dockerfile")
    run = " ".join(args for k, args in stage if k == "RUN")
    installed = set(re.search(r"apt-get install -y --no-install-recommends ([^&]+)", run).group(1).split())
    assert packages - BASE_PACKAGES <= installed, f"not installed in the runtime stage: {packages - BASE_PACKAGES - installed}"


def documented_publishes(text):
    return re.findall(r"(?:-p|--publish)[ =](\S+)", text)


def test_documented_docker_run_publishes_on_loopback_only():
    for path in (REPO_ROOT / "docker" / "Dockerfile", REPO_ROOT / "README.md"):
        runs = [line for line in path.read_text().splitlines() if "docker run" in line]
        assert runs, f"{path.name} documents no docker run"
        for line in runs:
            publishes = documented_publishes(line)
            assert publishes and all(p.startswith("127.0.0.1:") for p in publishes), line
            assert "kubelite-data:" + DATA_DIR in line, f"{line}: the data volume is not named"


def test_compose_publishes_on_loopback_and_keeps_data_in_a_named_volume():
    compose = yaml.safe_load((REPO_ROOT / "docker" / "compose.yaml").read_text())
    service = compose["services"]["kubelite"]
    assert service["ports"] and all(str(p).startswith("127.0.0.1:") for p in service["ports"]), service["ports"]
    assert "user" not in service or str(service["user"]).split(":")[0] not in ("root", "0")
    volumes = [v.split(":") for v in service["volumes"]]
    assert [name for name, target in volumes if target == DATA_DIR] == ["kubelite-data"]
    assert "kubelite-data" in compose["volumes"]


# ---- docker/compose.etcd.yaml: three etcd members, three replicas (issue 18) ----

def etcd_compose():
    return yaml.safe_load((REPO_ROOT / "docker" / "compose.etcd.yaml").read_text())


def flag_values(argv):
    """`--flag value` and `--flag=value` pairs of an argument list, as a dict."""
    values, i = {}, 0
    while i < len(argv):
        arg = str(argv[i])
        if "=" in arg:
            key, value = arg.split("=", 1)
            values[key] = value
        elif i + 1 < len(argv) and not str(argv[i + 1]).startswith("--"):
            values[arg] = str(argv[i + 1])
            i += 1
        i += 1
    return values


def etcd_members(compose):
    return {name: s for name, s in compose["services"].items() if "etcd" in str(s.get("image", ""))}


def replicas(compose):
    return {name: s for name, s in compose["services"].items() if "--etcd-servers" in s.get("command", [])}


def test_etcd_compose_runs_three_members_of_one_cluster_from_one_pinned_image():
    compose = etcd_compose()
    members = etcd_members(compose)
    assert len(members) == 3, members.keys()
    images = {s["image"] for s in members.values()}
    assert len(images) == 1, images
    image = images.pop()
    assert image.split("/")[0] in ("gcr.io", "quay.io") and re.search(r":v3\.5\.\d+$", image), (
        f"{image}: the official etcd image, pinned to a v3.5 release")
    peers = set()
    for name, service in members.items():
        flags = flag_values([*service.get("entrypoint", [])[1:], *service.get("command", [])])
        assert flags["--name"] == name
        peers.add(f"{name}=http://{name}:2380")
        assert flags["--initial-advertise-peer-urls"] == f"http://{name}:2380"
        assert flags["--advertise-client-urls"] == f"http://{name}:2379"
        assert flags["--initial-cluster-state"] == "new"
        assert "ports" not in service, f"{name}: etcd is for the replicas only, not published"
        (volume,) = service["volumes"]
        assert volume.split(":")[0] in compose["volumes"]
    for service in members.values():
        flags = flag_values([*service.get("entrypoint", [])[1:], *service.get("command", [])])
        assert set(flags["--initial-cluster"].split(",")) == peers
    data = [s["volumes"][0].split(":")[0] for s in members.values()]
    assert len(set(data)) == 3, "each member its own data volume"


def test_etcd_compose_replicas_list_every_member_and_are_distinct_nodes():
    compose = etcd_compose()
    members = etcd_members(compose)
    servers = replicas(compose)
    assert len(servers) == 3, servers.keys()
    names, indexes, host_ports, data = set(), set(), set(), set()
    for name, service in servers.items():
        flags = flag_values(service["command"])
        assert set(flags["--etcd-servers"].split(",")) == {f"http://{m}:2379" for m in members}, name
        names.add(flags["--node-name"])
        indexes.add(int(flags["--node-index"]))
        assert "entrypoint" not in service, f"{name}: the image's entrypoint (HTTPS, RBAC, the data dir) serves"
        assert "user" not in service or str(service["user"]).split(":")[0] not in ("root", "0")
        assert set(service["depends_on"]) >= set(members), f"{name} starts after every member"
        assert service["ports"] and all(str(p).startswith("127.0.0.1:") for p in service["ports"]), service["ports"]
        host_ports |= {str(p).split(":")[1] for p in service["ports"]}
        volumes = [v.split(":") for v in service["volumes"]]
        (volume,) = [v for v, target in volumes if target == DATA_DIR]
        assert volume in compose["volumes"]
        data.add(volume)
    assert len(names) == 3 and len(indexes) == 3, "distinct --node-name and --node-index"
    assert len(host_ports) == 3, "distinct published ports"
    assert len(data) == 3, "each replica its own data volume"


def test_etcd_compose_builds_one_image_and_shares_the_first_replicas_pki():
    compose = etcd_compose()
    servers = replicas(compose)
    built = {name: s for name, s in compose["services"].items() if "build" in s}
    assert set(servers) <= set(built)
    for name, service in built.items():
        assert service["build"] == {"context": "..", "dockerfile": "docker/Dockerfile"}, name
        assert service.get("pull_policy") == "build", f"{name}: never pull another image of that name"
    assert len({s["image"] for s in built.values()}) == 1
    volume_of = {name: next(v.split(":")[0] for v in s["volumes"] if v.split(":")[1] == DATA_DIR)
                 for name, s in servers.items()}
    first = next(name for name, s in servers.items() if flag_values(s["command"])["--node-index"] == "0")
    assert "test -s /var/lib/kubelite/kubeconfig" in " ".join(servers[first]["healthcheck"]["test"]), (
        "the first replica is healthy once its kubeconfig, and so its pki, is written")
    for name, service in servers.items():
        if name == first:
            continue
        copies = [d for d, c in service["depends_on"].items() if c == {"condition": "service_completed_successfully"}]
        assert len(copies) == 1, f"{name} waits for its pki copy"
        copy = compose["services"][copies[0]]
        assert copy["depends_on"] == {first: {"condition": "service_healthy"}}
        assert sorted(copy["volumes"]) == sorted([f"{volume_of[first]}:/seed:ro", f"{volume_of[name]}:{DATA_DIR}"]), (
            "the copy reads the first replica's volume and writes this one's, mounted where the image owns it")
        assert "cp -R /seed/pki /var/lib/kubelite/pki" in " ".join(copy["entrypoint"])
        assert copy.get("restart") == "no" and "user" not in copy


def test_readme_documents_the_etcd_compose_file():
    readme = (REPO_ROOT / "README.md").read_text()
    assert "docker compose -f docker/compose.etcd.yaml up" in readme
    assert "compose file" not in readme.split("## On etcd", 1)[1].split("\n## ", 1)[0].split("Not yet:", 1)[-1], (
        "the compose file is no longer in the README's 'Not yet' list")
