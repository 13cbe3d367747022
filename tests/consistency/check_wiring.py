#!/usr/bin/env python3
"""Checks that every function is wired the same way everywhere: the Cargo bin targets, the
function registry (`local-server --list-functions --json`, which every other script and test
reads), template.yaml and events/:

- every package under functions/ is a workspace member and builds at least one binary; the
  function binaries are every bin target of those packages (`cargo metadata --no-deps`), so a
  package builds one function or several (functions/contractfit builds five);
- the registry lists exactly those binaries, by name;
- template.yaml has exactly one AWS::Serverless::Function per such binary (and no other),
  with BuildMethod rust-cargolambda, provided.al2023, arm64 (globally or on the function),
  Handler bootstrap, and one HttpApi POST event (or, for a stream worker, one DynamoDB event
  and a DynamoDB stream sample in events/);
- the template's route for each function is its route in the registry, the route the local
  server serves it at (asked from a running local server: its 404 answer lists every route),
  and the route of its events/<function>.json sample; a function has no route in the registry
  exactly when the template drives it by a DynamoDB stream;
- every function has its sample event; every function with a route a raw payload and an
  expectation file (events/payloads/<function>.expect.json), at the paths the registry gives;
  and no expectation file is for a function that is not served at a route.

    .venv/bin/python tests/consistency/check_wiring.py target/debug/local-server   # cfn-lint's decoder

Prints 'N passed, N failed' and exits non-zero on any failure.
"""
import json
import os
import subprocess
import sys
import tomllib
import urllib.error
import urllib.request
from pathlib import Path

from cfnlint.decode import decode

ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS_DIR = ROOT / "functions"
PAYLOADS = ROOT / "events" / "payloads"
sys.path.insert(0, str(ROOT / "tests"))
import registry  # noqa: E402  (the local server's function list)


def workspace_packages():
    """The workspace members' packages, as `cargo metadata --no-deps` lists them (it resolves
    nothing and needs no network)."""
    metadata = json.loads(subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--no-deps"],
        cwd=ROOT, check=True, capture_output=True).stdout)
    return metadata["packages"]


def function_packages(packages):
    """{package name: its directory relative to the repository} of the members under functions/."""
    found = {}
    for package in packages:
        directory = Path(package["manifest_path"]).parent
        if directory.parent == FUNCTIONS_DIR:
            found[package["name"]] = directory.relative_to(ROOT).as_posix()
    return found


def function_binaries(packages):
    """{binary name: {"package", "directory", "src_path"}} for every bin target of the packages
    under functions/, sorted by binary name."""
    directories = function_packages(packages)
    binaries = {}
    for package in packages:
        if package["name"] not in directories:
            continue
        for target in package["targets"]:
            if "bin" in target["kind"]:
                binaries[target["name"]] = {
                    "package": package["name"],
                    "directory": directories[package["name"]],
                    "src_path": target["src_path"],
                }
    return dict(sorted(binaries.items()))


def load_template():
    """template.yaml as CloudFormation reads it (cfn-lint's decoder: `!Ref`/`!Sub` included)."""
    template, matches = decode(str(ROOT / "template.yaml"))
    if matches:
        raise SystemExit(f"template.yaml does not parse: {matches}")
    return template


def template_functions(template=None):
    """Function resources of the template (template.yaml when none is given): {binary: {...}}."""
    template = load_template() if template is None else template
    functions = {}
    for resource, body in template["Resources"].items():
        if body.get("Type") != "AWS::Serverless::Function":
            continue
        properties = body.get("Properties", {})
        build = body.get("Metadata", {})
        events = list(properties.get("Events", {}).values())
        architectures = properties.get("Architectures")
        binary = build.get("BuildProperties", {}).get("Binary")
        functions[binary] = {
            "resource": resource,
            "binary": binary,
            "build_method": build.get("BuildMethod"),
            "runtime": properties.get("Runtime"),
            "handler": properties.get("Handler"),
            "architectures": f"[{', '.join(architectures)}]" if architectures else None,
            "types": [e.get("Type") for e in events],
            "paths": [e["Properties"]["Path"] for e in events if "Path" in e.get("Properties", {})],
            "methods": [e["Properties"]["Method"] for e in events if "Method" in e.get("Properties", {})],
        }
    return {binary: fn for binary, fn in functions.items() if binary is not None} | {
        f"<resource {fn['resource']} without BuildProperties.Binary>": fn
        for binary, fn in functions.items() if binary is None
    }


def template_globals(template):
    function = template.get("Globals", {}).get("Function", {})
    architectures = function.get("Architectures")
    return {
        "runtime": function.get("Runtime"),
        "handler": function.get("Handler"),
        "architectures": f"[{', '.join(architectures)}]" if architectures else None,
    }


def local_server_routes(binary):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PORT", "DYNAMODB_", "VENDOR_", "RECORDS_", "AWS_", "INKIT_API"))}
    server = subprocess.Popen([binary, "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              env=env, text=True)
    try:
        for line in server.stdout:
            if line.startswith("listening on "):
                base = line.split()[-1]
                break
        else:
            raise SystemExit("local-server did not start")
        try:
            urllib.request.urlopen(base + "/no-such-route", data=b"{}", timeout=10)
        except urllib.error.HTTPError as error:
            return set(json.loads(error.read())["routes"])
        raise SystemExit("local-server answered an unknown route with success")
    finally:
        server.terminate()
        server.wait(timeout=10)


def expectation_ok(path):
    """Whether an expectation file exists and is a JSON object (the fault and load tests check
    it against its schema, tests/faults/local_stack.py)."""
    try:
        return isinstance(json.loads(path.read_text()), dict)
    except (OSError, ValueError):
        return False


def unstated_items(stores, expectation):
    """The items an expectation file says a delivery writes that the registry's `stores` text
    does not name (each item named by its sort key's or its partition's first segment, as
    `STATUS#` or `EXPORT#`); a function that writes nothing says "nothing"."""
    records = expectation.get("records") or {}
    items = records.get("items", [])
    if not items:
        return [] if stores.startswith("nothing") else ["(writes nothing, yet does not say so)"]
    partition = records.get("partition", "").split("#")[0] + "#"

    def named(key):
        head = key.split("#")[0] + ("#" if "#" in key else "")
        return head in stores or partition in stores

    return [item.get("sk") or item.get("sk_prefix") for item in items if not named(item.get("sk") or item.get("sk_prefix"))]


def main(argv):
    binary = argv[1] if len(argv) > 1 else str(ROOT / "target/debug/local-server")
    workspace = tomllib.loads((ROOT / "Cargo.toml").read_text())["workspace"]["members"]
    directories = sorted(f"functions/{p.name}" for p in (ROOT / "functions").iterdir()
                         if (p / "Cargo.toml").exists())
    packages = workspace_packages()
    binaries = function_binaries(packages)
    functions = list(binaries)
    loaded = load_template()
    template = template_functions(loaded)
    defaults = template_globals(loaded)
    served = local_server_routes(binary)
    listed = {f["name"]: f for f in registry.functions(binary)}
    results = []

    def check(name, ok, detail=""):
        results.append(ok)
        print(f"{'ok  ' if ok else 'FAIL'} {name}{': ' + detail if detail and not ok else ''}")

    member_directories = set(function_packages(packages).values())
    for directory in directories:
        check(f"{directory} is a workspace member", directory in workspace and directory in member_directories)
        check(f"{directory} builds a function binary",
              any(info["directory"] == directory for info in binaries.values()))
    for name in sorted(set(functions) - set(listed)):
        check(f"{name} is in the function registry", False)
    for name in sorted(set(listed) - set(functions)):
        check(f"registry function {name} is a binary of a package under functions/", False)
    for function in functions:
        entry = Path(binaries[function]["src_path"])
        check(f"{function} has a Lambda entry point ({entry.relative_to(ROOT)})", entry.exists())
        fn = template.get(function)
        check(f"{function} has a template function", fn is not None)
        if fn is None:
            continue
        check(f"{function} builds with rust-cargolambda", fn.get("build_method") == "rust-cargolambda", str(fn.get("build_method")))
        for key, expected in (("runtime", "provided.al2023"), ("handler", "bootstrap"), ("architectures", "[arm64]")):
            value = fn.get(key) or defaults.get(key)
            check(f"{function} {key} is {expected}", value == expected, str(value))
        listing = listed.get(function)
        if listing is not None:
            check(f"{function}'s sample event is events/{function}.json in the registry",
                  listing["event"] == f"events/{function}.json", str(listing["event"]))
        if fn["types"] == ["DynamoDB"]:
            # A stream worker: no route; the local server does its work in-process.
            event_file = ROOT / "events" / f"{function}.json"
            records = json.loads(event_file.read_text()).get("Records", []) if event_file.exists() else []
            check(f"{function} has a DynamoDB stream sample events/{function}.json",
                  bool(records) and all(r.get("eventSource") == "aws:dynamodb" for r in records))
            if listing is not None:
                check(f"{function} has no route, payload nor expectation in the registry",
                      listing["route"] is None and listing["payload"] is None and listing["expect"] is None,
                      json.dumps(listing))
            continue
        ok_event = fn["types"] == ["HttpApi"] and fn["methods"] == ["POST"] and len(fn["paths"]) == 1
        check(f"{function} has one HttpApi POST route", ok_event, json.dumps(fn))
        route = fn["paths"][0] if fn["paths"] else None
        check(f"{function} route {route} is served by the local server", route in served, f"served: {sorted(served)}")
        event_file = ROOT / "events" / f"{function}.json"
        check(f"{function} has events/{function}.json", event_file.exists())
        check(f"{function} has events/payloads/{function}.json", (PAYLOADS / f"{function}.json").exists())
        expect_file = PAYLOADS / f"{function}.expect.json"
        check(f"{function} has its expectation events/payloads/{expect_file.name}", expectation_ok(expect_file))
        if listing is not None:
            check(f"{function}'s registry route is {route}", listing["route"] == route, str(listing["route"]))
            check(f"{function}'s payload and expectation are at their paths in the registry",
                  listing["payload"] == f"events/payloads/{function}.json"
                  and listing["expect"] == f"events/payloads/{expect_file.name}", json.dumps(listing))
            if expectation_ok(expect_file):
                unstated = unstated_items(listing["stores"], json.loads(expect_file.read_text()))
                check(f"{function}'s registry text names every item its expectation writes",
                      not unstated, f"stores: {listing['stores']!r}; not named: {unstated}")
        if event_file.exists():
            event_route = json.loads(event_file.read_text()).get("rawPath")
            check(f"{function} sample event targets {route}", event_route == route, str(event_route))
    routed = {name for name, f in listed.items() if f["route"]}
    for expect_file in sorted(PAYLOADS.glob("*.expect.json")):
        name = expect_file.name.removesuffix(".expect.json")
        check(f"{expect_file.name} is the expectation of a function served at a route", name in routed)
    for binary_name in sorted(set(template) - set(functions)):
        check(f"template function {binary_name} is a binary of a package under functions/", False)
    template_routes = {fn["paths"][0] for fn in template.values() if fn["paths"]}
    for extra in sorted(served - template_routes):
        check(f"local server route {extra} is deployed by the template", False)

    passed, failed = results.count(True), results.count(False)
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
