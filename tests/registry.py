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


def functions(server=None):
    """Every function: dicts with name, platform, route (None for a worker), event, payload."""
    command = [str(server)] if server else local_server_command()
    listed = subprocess.run(command + ["--list-functions", "--json"], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout
    return json.loads(listed)


def routes(server=None):
    """{function name: route} of the functions served at a route."""
    return {f["name"]: f["route"] for f in functions(server) if f["route"]}
