#!/usr/bin/env python3
"""Checks that every function is wired the same way everywhere:

- every package under functions/ is a workspace member and builds at least one binary; the
  function binaries are every bin target of those packages (`cargo metadata --no-deps`), so a
  package builds one function or several (functions/contractfit builds five);
- template.yaml has exactly one AWS::Serverless::Function per such binary (and no other),
  with BuildMethod rust-cargolambda, provided.al2023, arm64 (globally or on the function),
  Handler bootstrap, and one HttpApi POST event (or, for a stream worker, one DynamoDB event
  and a DynamoDB stream sample in events/);
- the template's route for each function is the route the local server serves it at (asked
  from a running local server: its 404 answer lists every route), and the route of its
  events/<function>.json sample;
- every function has a sample event and a raw payload.

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
sys.path.insert(0, str(ROOT / "tests"))
from cargo_functions import function_binaries, function_packages, workspace_packages  # noqa: E402


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
    results = []

    def check(name, ok, detail=""):
        results.append(ok)
        print(f"{'ok  ' if ok else 'FAIL'} {name}{': ' + detail if detail and not ok else ''}")

    member_directories = set(function_packages(packages).values())
    for directory in directories:
        check(f"{directory} is a workspace member", directory in workspace and directory in member_directories)
        check(f"{directory} builds a function binary",
              any(info["directory"] == directory for info in binaries.values()))
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
        if fn["types"] == ["DynamoDB"]:
            # A stream worker: no route; the local server does its work in-process.
            event_file = ROOT / "events" / f"{function}.json"
            records = json.loads(event_file.read_text()).get("Records", []) if event_file.exists() else []
            check(f"{function} has a DynamoDB stream sample events/{function}.json",
                  bool(records) and all(r.get("eventSource") == "aws:dynamodb" for r in records))
            continue
        ok_event = fn["types"] == ["HttpApi"] and fn["methods"] == ["POST"] and len(fn["paths"]) == 1
        check(f"{function} has one HttpApi POST route", ok_event, json.dumps(fn))
        route = fn["paths"][0] if fn["paths"] else None
        check(f"{function} route {route} is served by the local server", route in served, f"served: {sorted(served)}")
        event_file = ROOT / "events" / f"{function}.json"
        check(f"{function} has events/{function}.json", event_file.exists())
        check(f"{function} has events/payloads/{function}.json", (ROOT / "events/payloads" / f"{function}.json").exists())
        if event_file.exists():
            event_route = json.loads(event_file.read_text()).get("rawPath")
            check(f"{function} sample event targets {route}", event_route == route, str(event_route))
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
