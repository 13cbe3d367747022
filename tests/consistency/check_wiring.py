#!/usr/bin/env python3
"""Checks that every function is wired the same way everywhere:

- every crate under functions/ is a workspace member and builds a binary of its own name;
- template.yaml has exactly one AWS::Serverless::Function per such binary (and no other),
  with BuildMethod rust-cargolambda, provided.al2023, arm64 (globally or on the function),
  Handler bootstrap, and one HttpApi POST event (or, for a stream worker, one DynamoDB event
  and a DynamoDB stream sample in events/);
- the template's route for each function is the route the local server serves it at (asked
  from a running local server: its 404 answer lists every route), and the route of its
  events/<function>.json sample;
- every function has a sample event and a raw payload.

    python3 tests/consistency/check_wiring.py target/debug/local-server

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

ROOT = Path(__file__).resolve().parents[2]


def template_functions():
    """Function resources of template.yaml: {binary: {...}}, read without a YAML library
    (CloudFormation's !Ref/!Sub tags trip plain loaders)."""
    functions, current, in_events = {}, None, False
    resource, resource_type = None, None
    for raw in (ROOT / "template.yaml").read_text().splitlines():
        line = raw.rstrip()
        indent = len(line) - len(line.lstrip())
        text = line.strip()
        if indent == 2 and text.endswith(":") and not text.startswith("#"):
            resource, resource_type, current, in_events = text[:-1], None, None, False
            continue
        if indent == 4 and text.startswith("Type:"):
            resource_type = text.split(":", 1)[1].strip()
            if resource_type == "AWS::Serverless::Function":
                current = {"resource": resource, "paths": [], "methods": [], "types": []}
            continue
        if current is None:
            continue
        if text.startswith("Binary:"):
            current["binary"] = text.split(":", 1)[1].strip()
            functions[current["binary"]] = current
        elif text.startswith("BuildMethod:"):
            current["build_method"] = text.split(":", 1)[1].strip()
        elif text.startswith("Runtime:"):
            current["runtime"] = text.split(":", 1)[1].strip()
        elif text.startswith("Handler:"):
            current["handler"] = text.split(":", 1)[1].strip()
        elif text.startswith("Architectures:"):
            current["architectures"] = text.split(":", 1)[1].strip()
        elif text.startswith("Path:"):
            current["paths"].append(text.split(":", 1)[1].strip())
        elif text.startswith("Method:"):
            current["methods"].append(text.split(":", 1)[1].strip())
        elif indent == 10 and text.startswith("Type:"):
            current["types"].append(text.split(":", 1)[1].strip())
    return functions


def template_globals():
    text = (ROOT / "template.yaml").read_text()
    block = text.split("\nGlobals:", 1)[1].split("\nResources:", 1)[0]
    found = {}
    for line in block.splitlines():
        for key in ("Runtime", "Handler", "Architectures"):
            if line.strip().startswith(key + ":"):
                found[key.lower()] = line.split(":", 1)[1].strip()
    return found


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
    crates = sorted(p.name for p in (ROOT / "functions").iterdir() if (p / "Cargo.toml").exists())
    template = template_functions()
    defaults = template_globals()
    served = local_server_routes(binary)
    results = []

    def check(name, ok, detail=""):
        results.append(ok)
        print(f"{'ok  ' if ok else 'FAIL'} {name}{': ' + detail if detail and not ok else ''}")

    for crate in crates:
        check(f"{crate} is a workspace member", f"functions/{crate}" in workspace)
        check(f"{crate} has a Lambda entry point", (ROOT / "functions" / crate / "src/main.rs").exists())
        fn = template.get(crate)
        check(f"{crate} has a template function", fn is not None)
        if fn is None:
            continue
        check(f"{crate} builds with rust-cargolambda", fn.get("build_method") == "rust-cargolambda", str(fn.get("build_method")))
        for key, expected in (("runtime", "provided.al2023"), ("handler", "bootstrap"), ("architectures", "[arm64]")):
            value = fn.get(key, defaults.get(key))
            check(f"{crate} {key} is {expected}", value == expected, str(value))
        if fn["types"] == ["DynamoDB"]:
            # A stream worker: no route; the local server does its work in-process.
            event_file = ROOT / "events" / f"{crate}.json"
            records = json.loads(event_file.read_text()).get("Records", []) if event_file.exists() else []
            check(f"{crate} has a DynamoDB stream sample events/{crate}.json",
                  bool(records) and all(r.get("eventSource") == "aws:dynamodb" for r in records))
            continue
        ok_event = fn["types"] == ["HttpApi"] and fn["methods"] == ["POST"] and len(fn["paths"]) == 1
        check(f"{crate} has one HttpApi POST route", ok_event, json.dumps(fn))
        route = fn["paths"][0] if fn["paths"] else None
        check(f"{crate} route {route} is served by the local server", route in served, f"served: {sorted(served)}")
        event_file = ROOT / "events" / f"{crate}.json"
        check(f"{crate} has events/{crate}.json", event_file.exists())
        check(f"{crate} has events/payloads/{crate}.json", (ROOT / "events/payloads" / f"{crate}.json").exists())
        if event_file.exists():
            event_route = json.loads(event_file.read_text()).get("rawPath")
            check(f"{crate} sample event targets {route}", event_route == route, str(event_route))
    for binary_name in sorted(set(template) - set(crates)):
        check(f"template function {binary_name} has a crate under functions/", False)
    template_routes = {fn["paths"][0] for fn in template.values() if fn["paths"]}
    for extra in sorted(served - template_routes):
        check(f"local server route {extra} is deployed by the template", False)

    passed, failed = results.count(True), results.count(False)
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
