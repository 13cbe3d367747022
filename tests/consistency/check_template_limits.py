#!/usr/bin/env python3
"""Checks template.yaml against the limits of the platforms it sits between:

- an HTTP API waits at most 30 s for a Lambda integration (and Rossum's hook 30 s by default),
  so no function behind an HttpApi route may have a Timeout above 30;
- Inkit gives every webhook its own secret key, so every Inkit function reads its own secret
  and previous-secret parameters, shared with no other function.

The template is read with cfn-lint's CloudFormation decoder (the `!Ref`/`!Sub` tags included).

    .venv/bin/python tests/consistency/check_template_limits.py

Prints one line per check and exits non-zero on any failure.
"""
import sys
from pathlib import Path

from cfnlint.decode import decode

ROOT = Path(__file__).resolve().parents[2]
HTTP_API_MAX_WAIT_SECONDS = 30


def load_template():
    template, matches = decode(str(ROOT / "template.yaml"))
    if matches:
        raise SystemExit(f"template.yaml does not parse: {matches}")
    return template


def functions(template):
    for name, resource in template["Resources"].items():
        if resource.get("Type") == "AWS::Serverless::Function":
            yield name, resource.get("Properties", {})


def refs(value):
    """The parameter names a `!Ref` value names (one, or none)."""
    if isinstance(value, dict) and set(value) == {"Ref"}:
        return [value["Ref"]]
    return []


def main():
    template = load_template()
    default_timeout = template.get("Globals", {}).get("Function", {}).get("Timeout", 3)
    passed = failed = 0

    def check(ok, text):
        nonlocal passed, failed
        print(f"{'ok  ' if ok else 'FAIL'} {text}")
        passed, failed = passed + ok, failed + (not ok)

    inkit_secret_parameters = {}
    for name, properties in functions(template):
        events = properties.get("Events", {}).values()
        behind_http_api = any(event.get("Type") == "HttpApi" for event in events)
        timeout = int(properties.get("Timeout", default_timeout))
        if behind_http_api:
            check(
                timeout <= HTTP_API_MAX_WAIT_SECONDS,
                f"{name}: Timeout {timeout} s within the {HTTP_API_MAX_WAIT_SECONDS} s an HTTP API waits",
            )
        variables = properties.get("Environment", {}).get("Variables", {})
        secrets = {
            variable: refs(value)
            for variable, value in variables.items()
            if variable.startswith("INKIT_") and "WEBHOOK_SECRET" in variable
        }
        if secrets:
            own = [p for variable, ps in secrets.items() for p in ps]
            check(
                len(secrets) == 2 and len(own) == 2,
                f"{name}: reads a secret and a previous secret of its own webhook ({', '.join(sorted(secrets))})",
            )
            for parameter in own:
                inkit_secret_parameters.setdefault(parameter, []).append(name)

    check(len(inkit_secret_parameters) >= 6, f"{len(inkit_secret_parameters)} Inkit secret parameters")
    for parameter, users in sorted(inkit_secret_parameters.items()):
        check(
            len(users) == 1 and parameter in template.get("Parameters", {}),
            f"parameter {parameter} is read by {', '.join(users)} alone",
        )
        no_echo = template.get("Parameters", {}).get(parameter, {}).get("NoEcho")
        check(no_echo in (True, "true"), f"parameter {parameter} is NoEcho")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
