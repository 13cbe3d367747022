"""The function registry, as the local server lists it (`local-server --list-functions --json`):
the one list of functions that scripts and tests read.

The binary is $LOCAL_SERVER, else target/release/local-server, else target/debug/local-server,
else `cargo run --bin local-server` builds one.
"""
import json
import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def local_server_command():
    configured = os.environ.get("LOCAL_SERVER")
    if configured:
        return [configured]
    for profile in ("release", "debug"):
        binary = ROOT / "target" / profile / "local-server"
        if binary.exists():
            return [str(binary)]
    return ["cargo", "run", "--quiet", "--locked", "--bin", "local-server", "--"]


# What every entry of the registry has (a worker's route, payload and expect are null).
KEYS = {"name", "platform", "route", "event", "payload", "expect"}


def functions(server=None):
    """Every function: dicts with name, platform, route (None for a worker), event (its sample
    event), payload (its raw payload) and expect (its events/payloads/<name>.expect.json, what
    the fault and load tests require of it), the paths relative to the repository."""
    command = [str(server)] if server else local_server_command()
    listed = json.loads(subprocess.run(command + ["--list-functions", "--json"], cwd=ROOT, check=True,
                                       capture_output=True, text=True).stdout)
    for function in listed:
        missing = KEYS - function.keys()
        if missing:
            raise SystemExit(f"{command[0]} --list-functions: {function.get('name')} has no {sorted(missing)} "
                             "(a local-server older than the tests: rebuild it)")
    return listed


def routes(server=None):
    """{function name: route} of the functions served at a route."""
    return {f["name"]: f["route"] for f in functions(server) if f["route"]}
