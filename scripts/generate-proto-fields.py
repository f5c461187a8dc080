#!/usr/bin/env python3
"""Generate Sources/APIMachinery/Protobuf/ProtobufFieldTable.swift: the protobuf field numbers of
every definition in UpstreamDefinitions.swift (and the embedded structs they inline).

Upstream's generated.proto files are compiled into every Go client as gzipped
FileDescriptorProto messages (gogo-protobuf registers them); kubectl 1.32 carries all of them.
This script reads them out of a kubectl binary, so the table matches the kubectl release
Kubelite targets, field for field:

    python3 scripts/generate-proto-fields.py /usr/lib/google-cloud-sdk/bin/kubectl

Only facts are taken: message and field names, numbers, scalar types, repeated, and the gogo
`nullable=false` option (the Go field is a value, not a pointer, so it is always encoded and its
zero value stands for "unset"). The schema's `required` list tells which value fields Go's JSON
encoder keeps when zero (no `omitempty`).

Table format, one message per line: `<definition> <field> <field> ...`, each field
`<number>:<jsonName>:<flags>:<kind>[:<argument>]`.
  flags: `r` repeated, `p` pointer (presence is meaningful), `z` zero value kept (required), `-` none
  kinds: `s` string, `y` bytes (base64 in JSON), `b` bool, `i32`, `i64`, `u32`, `u64`, `f32`, `f64`,
         `m:<definition>` message, `in:<definition>` embedded struct inlined into the parent object,
         `M:<value kind>[:<definition>]` map<string, value> (repeated {1 key, 2 value} entries),
         `time`, `mtime`, `qty`, `ios` (IntOrString), `raw` (RawExtension), `fv1` (FieldsV1),
         `items` (a message wrapping `repeated string items = 1`, such as Verbs).
"""
import json
import os
import re
import sys
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFINITIONS = os.path.join(ROOT, "Sources/APIMachinery/Schema/UpstreamDefinitions.swift")
OUTPUT = os.path.join(ROOT, "Sources/APIMachinery/Protobuf/ProtobufFieldTable.swift")

SCALARS = {1: "f64", 2: "f32", 3: "i64", 4: "u64", 5: "i32", 8: "b", 9: "s", 12: "y", 13: "u32", 14: "i32"}
MESSAGE, NULLABLE, MAP_ENTRY = 11, 65001, 7

SPECIAL = {
    "io.k8s.apimachinery.pkg.apis.meta.v1.Time": "time",
    "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime": "mtime",
    "io.k8s.apimachinery.pkg.api.resource.Quantity": "qty",
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString": "ios",
    "io.k8s.apimachinery.pkg.runtime.RawExtension": "raw",
    "io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1": "fv1",
    "io.k8s.apimachinery.pkg.apis.meta.v1.Verbs": "items",
}


def _field(name, number, type_code, type_name=None, repeated=False, nullable=False):
    field = {"name": name, "number": number, "type": type_code, "repeated": repeated, "nullable": nullable}
    if type_name:
        field["type_name"] = type_name
    return field


# kube-aggregator's messages are not compiled into kubectl; their numbers, from
# k8s.io/kube-aggregator/pkg/apis/apiregistration/v1/generated.proto, are written out here.
_META, _AGG = ".k8s.io.apimachinery.pkg.apis.meta.v1.", ".k8s.io.kube-aggregator.pkg.apis.apiregistration.v1."
AGGREGATOR = {
    "io.k8s.kube-aggregator.pkg.apis.apiregistration.v1.APIService": {"map_entry": False, "fields": [
        _field("metadata", 1, MESSAGE, _META + "ObjectMeta"), _field("spec", 2, MESSAGE, _AGG + "APIServiceSpec"),
        _field("status", 3, MESSAGE, _AGG + "APIServiceStatus")]},
    "io.k8s.kube-aggregator.pkg.apis.apiregistration.v1.APIServiceList": {"map_entry": False, "fields": [
        _field("metadata", 1, MESSAGE, _META + "ListMeta"), _field("items", 2, MESSAGE, _AGG + "APIService", repeated=True)]},
    "io.k8s.kube-aggregator.pkg.apis.apiregistration.v1.APIServiceSpec": {"map_entry": False, "fields": [
        _field("service", 1, MESSAGE, _AGG + "ServiceReference", nullable=True), _field("group", 2, 9), _field("version", 3, 9),
        _field("insecureSkipTLSVerify", 4, 8), _field("caBundle", 5, 12), _field("groupPriorityMinimum", 7, 5),
        _field("versionPriority", 8, 5)]},
    "io.k8s.kube-aggregator.pkg.apis.apiregistration.v1.APIServiceStatus": {"map_entry": False, "fields": [
        _field("conditions", 1, MESSAGE, _AGG + "APIServiceCondition", repeated=True)]},
    "io.k8s.kube-aggregator.pkg.apis.apiregistration.v1.APIServiceCondition": {"map_entry": False, "fields": [
        _field("type", 1, 9), _field("status", 2, 9), _field("lastTransitionTime", 3, MESSAGE, _META + "Time"),
        _field("reason", 4, 9), _field("message", 5, 9)]},
    "io.k8s.kube-aggregator.pkg.apis.apiregistration.v1.ServiceReference": {"map_entry": False, "fields": [
        _field("namespace", 1, 9), _field("name", 2, 9), _field("port", 3, 5, nullable=True)]},
}


def varint(b, i):
    result = shift = 0
    while True:
        c = b[i]
        i += 1
        result |= (c & 0x7F) << shift
        shift += 7
        if c < 0x80:
            return result, i


def fields(b):
    i, out = 0, []
    while i < len(b):
        key, i = varint(b, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = varint(b, i)
        elif wire == 2:
            n, i = varint(b, i)
            value, i = b[i:i + n], i + n
        elif wire == 1:
            value, i = b[i:i + 8], i + 8
        elif wire == 5:
            value, i = b[i:i + 4], i + 4
        else:
            raise ValueError("unexpected wire type %d" % wire)
        out.append((number, value))
    return out


def definition_name(proto_name):
    """`.k8s.io.api.core.v1.Pod` -> `io.k8s.api.core.v1.Pod` (OpenAPI's naming)."""
    assert proto_name.startswith(".k8s.io."), proto_name
    return "io.k8s." + proto_name[len(".k8s.io."):]


def parse_message(b, prefix, into):
    msg = {"fields": [], "map_entry": False}
    nested = []
    for number, value in fields(b):
        if number == 1:
            msg["name"] = value.decode()
        elif number == 2:
            field = {"nullable": True}
            for n, v in fields(value):
                if n == 1:
                    field["name"] = v.decode()
                elif n == 3:
                    field["number"] = v
                elif n == 4:
                    field["repeated"] = v == 3
                elif n == 5:
                    field["type"] = v
                elif n == 6:
                    field["type_name"] = v.decode()
                elif n == 8:
                    field["nullable"] = dict(fields(v)).get(NULLABLE, 1) != 0
            msg["fields"].append(field)
        elif number == 3:
            nested.append(value)
        elif number == 7:
            msg["map_entry"] = dict(fields(value)).get(MAP_ENTRY, 0) != 0
    full = prefix + "." + msg["name"]
    into[full] = msg
    for n in nested:
        parse_message(n, full, into)


def descriptors(binary):
    """Every gzipped FileDescriptorProto for k8s.io packages found in the binary."""
    data = open(binary, "rb").read()
    messages = {}
    for match in re.finditer(b"\x1f\x8b\x08", data):
        try:
            raw = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data[match.start():match.start() + (1 << 21)])
        except zlib.error:
            continue
        if not raw.startswith(b"\x0a") or b"k8s.io/" not in raw[:80]:
            continue
        package = ""
        tops = []
        for number, value in fields(raw):
            if number == 2:
                package = value.decode()
            elif number == 4:
                tops.append(value)
        for top in tops:
            parse_message(top, "." + package, messages)
    return {definition_name(k): v for k, v in messages.items() if k.startswith(".k8s.io.")}


def load_schemas():
    source = open(DEFINITIONS).read()
    return json.loads(source[source.index('#"""') + 4:source.rindex('"""#')])


def main(binary):
    messages = descriptors(binary)
    messages.update(AGGREGATOR)
    schemas = load_schemas()
    lines, pending, landing = {}, sorted(n for n in schemas if n not in SPECIAL), {}
    problems = []
    # Protobuf field names that differ from the JSON property (the Go field's protobuf tag names it).
    renamed = {("io.k8s.api.authentication.v1.BoundObjectReference", "uID"): "uid",
               ("io.k8s.api.networking.v1.IngressClassParametersReference", "aPIGroup"): "apiGroup"}

    def field_kind(field, owner):
        if field["type"] != MESSAGE:
            return SCALARS[field["type"]]
        target = definition_name(field["type_name"])
        if target in SPECIAL:
            return SPECIAL[target]
        entry = messages[target]
        if entry["map_entry"]:
            value = next(f for f in entry["fields"] if f["number"] == 2)
            return "M:" + field_kind(value, owner)
        if target not in lines and target not in pending:
            pending.append(target)
        return "m:" + target

    while pending:
        name = pending.pop(0)
        if name in lines:
            continue
        message = messages.get(name)
        if message is None:
            problems.append("no protobuf message for " + name)
            continue
        schema = schemas.get(name) or schemas.get(landing.get(name, ""), {})
        properties = schema.get("properties", {})
        required = set(schema.get("required", []))
        tokens, covered = [name], set()
        for field in message["fields"]:
            field = dict(field, name=renamed.get((name, field["name"]), field["name"]))
            kind = field_kind(field, name)
            inline = kind.startswith("m:") and field["name"] not in properties and (name in schemas)
            if inline:
                kind = "in:" + kind[2:]
                landing.setdefault(kind[3:], name)
                covered.update(schemas.get(kind[3:], {}).get("properties", {}) or
                               {f["name"] for f in messages[kind[3:]]["fields"]})
            elif name in schemas and field["name"] not in properties:
                problems.append("%s.%s has no JSON property" % (name, field["name"]))
            covered.add(field["name"])
            flags = ""
            if field.get("repeated") and not kind.startswith("M:"):
                flags += "r"
            if field["nullable"] and not field.get("repeated") and kind in SCALARS.values():
                flags += "p"
            if not field["nullable"] and kind in SCALARS.values() and field["name"] in required:
                flags += "z"
            tokens.append("%d:%s:%s:%s" % (field["number"], field["name"], flags or "-", kind))
        for prop in properties if name in schemas else []:
            if prop not in covered and prop not in ("apiVersion", "kind"):
                problems.append("%s.%s has no protobuf field" % (name, prop))
        lines[name] = " ".join(tokens)

    check_acyclic(lines)
    if problems:
        sys.exit("\n".join(problems))
    body = "\n".join(lines[n] for n in sorted(lines))
    with open(OUTPUT, "w") as out:
        out.write("// Generated by scripts/generate-proto-fields.py from the protobuf descriptors in kubectl v1.32.\n")
        out.write("// Do not edit by hand; the format is described in that script.\n\n")
        out.write("/// Field numbers and kinds of every protobuf message Kubelite decodes, one message per line.\n")
        out.write("enum ProtobufFieldTable {\n    static let text = #\"\"\"\n")
        out.write(body)
        out.write("\n\"\"\"#\n}\n")
    print("%d messages, %d fields" % (len(lines), sum(len(l.split()) - 1 for l in lines.values())))


def check_acyclic(lines):
    """The decoder's recursion follows these references, so they must not loop."""
    refs = {n: re.findall(r":(?:m|in|M:m):([\w.]+)", line) for n, line in lines.items()}
    state = {}

    def visit(n, path):
        if state.get(n) == 1:
            sys.exit("cycle: " + " -> ".join(path + [n]))
        if state.get(n) == 2:
            return
        state[n] = 1
        for r in refs.get(n, []):
            visit(r, path + [n])
        state[n] = 2

    for n in refs:
        visit(n, [])


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: generate-proto-fields.py <kubectl binary>")
    main(sys.argv[1])
