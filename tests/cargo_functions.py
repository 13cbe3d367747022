"""The function binaries as Cargo builds them: every bin target of the workspace packages under
functions/, read from `cargo metadata --format-version 1 --no-deps` (which resolves nothing and
needs no network). A package may build one function (a crate named after it) or several
(functions/contractfit builds the five contract.fit functions).
"""
import json
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FUNCTIONS_DIR = ROOT / "functions"


def workspace_packages():
    """The workspace members' packages, as `cargo metadata --no-deps` lists them."""
    metadata = json.loads(subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--no-deps"],
        cwd=ROOT, check=True, capture_output=True).stdout)
    return metadata["packages"]


def function_packages(packages=None):
    """{package name: its directory relative to the repository} of the members under functions/."""
    packages = workspace_packages() if packages is None else packages
    found = {}
    for package in packages:
        directory = Path(package["manifest_path"]).parent
        if directory.parent == FUNCTIONS_DIR:
            found[package["name"]] = directory.relative_to(ROOT).as_posix()
    return found


def function_binaries(packages=None):
    """{binary name: {"package", "directory", "src_path"}} for every bin target of the packages
    under functions/, sorted by binary name."""
    packages = workspace_packages() if packages is None else packages
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
