#!/usr/bin/env python3
"""Wrap each raw payload in events/payloads/ in a signed API Gateway HTTP API (v2) event.

    python3 scripts/sign_events.py          # rewrite events/<function>.json after editing a payload
    python3 scripts/sign_events.py --check  # fail if any event file is stale or wrongly signed

The body of each event is the payload file's bytes exactly, and the signature is computed by
Python's own hmac module, independently of the project's Rust code. Secrets are the published
development secrets unless ROSSUM_HOOK_SECRET / INKIT_<EVENT>_WEBHOOK_SECRET (or
INKIT_WEBHOOK_SECRET) / CONTRACTFIT_WEBHOOK_TOKEN are set (ignored with --check, which always uses the defaults).
The event files work with `cargo lambda invoke --data-file` and `sam local invoke -e`. The
functions are the local server's registry (`local-server --list-functions --json`; see
tests/registry.py for which binary is asked).
"""
import hashlib
import hmac
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EVENTS = ROOT / "events"
PAYLOADS = EVENTS / "payloads"

DEVELOPMENT_SECRETS = {
    "rossum": ("ROSSUM_HOOK_SECRET", "rossum-development-secret"),
    "inkit": ("INKIT_WEBHOOK_SECRET", None),  # each webhook its own key: see secret_for
    "contractfit": ("CONTRACTFIT_WEBHOOK_TOKEN", "contractfit-development-token"),
}

sys.path.insert(0, str(ROOT / "tests"))
import registry  # noqa: E402  (the local server's function list)

# function name -> (platform, route), from the registry; workers have no route, so no envelope.
FUNCTIONS = {f["name"]: (f["platform"], f["route"]) for f in registry.functions() if f["route"]}

USER_AGENTS = {"rossum": "Rossum/webhook", "inkit": "Inkit-Webhooks/1.0", "contractfit": "contract.fit/webhooks"}


def secret_for(function, provider, use_environment):
    """The function's secret. Inkit gives every webhook its own key: INKIT_<EVENT>_WEBHOOK_SECRET
    (e.g. INKIT_DOCUMENT_CREATE_FINISHED_WEBHOOK_SECRET), else INKIT_WEBHOOK_SECRET, else the
    webhook's own development key, inkit-<event>-development-secret."""
    variable, default = DEVELOPMENT_SECRETS[provider]
    variables = [variable]
    if provider == "inkit":
        event = function.removeprefix("inkit-")
        variables.insert(0, f"INKIT_{event.upper().replace('-', '_')}_WEBHOOK_SECRET")
        default = f"inkit-{event}-development-secret"
    if use_environment:
        for name in variables:
            if os.environ.get(name):
                return os.environ[name]
    return default


def auth_headers(provider, secret, body):
    if provider == "rossum":
        digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        return {"x-rossum-signature-sha256": "sha256=" + digest}
    if provider == "inkit":
        return {"inkit-signature": hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()}
    return {"authorization": "Bearer " + secret}


def envelope(function, provider, route, body, secret):
    headers = {
        "content-type": "application/json",
        "content-length": str(len(body)),
        "host": "abc123defg.execute-api.eu-west-1.amazonaws.com",
        "user-agent": USER_AGENTS[provider],
        "x-amzn-trace-id": "Root=1-673dbe1d-2d9f3a0e4b7c1a2b3c4d5e6f",
        "x-forwarded-for": "203.0.113.10",
        "x-forwarded-port": "443",
        "x-forwarded-proto": "https",
    }
    headers.update(auth_headers(provider, secret, body))
    return {
        "version": "2.0",
        "routeKey": "POST " + route,
        "rawPath": route,
        "rawQueryString": "",
        "headers": headers,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abc123defg",
            "domainName": "abc123defg.execute-api.eu-west-1.amazonaws.com",
            "domainPrefix": "abc123defg",
            "http": {
                "method": "POST",
                "path": route,
                "protocol": "HTTP/1.1",
                "sourceIp": "203.0.113.10",
                "userAgent": USER_AGENTS[provider],
            },
            "requestId": "Bx1yZhFgDoEEMkw=",
            "routeKey": "POST " + route,
            "stage": "$default",
            "time": "20/Nov/2026:09:41:17 +0000",
            "timeEpoch": 1795167677612,
        },
        "body": body.decode("utf-8"),
        "isBase64Encoded": False,
    }


def render(function, use_environment):
    provider, route = FUNCTIONS[function]
    body = (PAYLOADS / f"{function}.json").read_bytes()
    event = envelope(function, provider, route, body, secret_for(function, provider, use_environment))
    return json.dumps(event, indent=2, ensure_ascii=False) + "\n"


def main(argv):
    check = "--check" in argv
    # Next to each payload is what the tests expect of it (<function>.expect.json), not signed.
    payloads = [p for p in PAYLOADS.glob("*.json") if not p.name.endswith(".expect.json")]
    unknown = [p.stem for p in payloads if p.stem not in FUNCTIONS]
    if unknown:
        print(f"payloads without a function in the registry: {', '.join(unknown)}", file=sys.stderr)
        return 1
    stale = []
    for function in sorted(FUNCTIONS):
        target = EVENTS / f"{function}.json"
        text = render(function, use_environment=not check)
        if check:
            if not target.exists() or target.read_text(encoding="utf-8") != text:
                stale.append(target.name)
        else:
            target.write_text(text, encoding="utf-8")
            print(f"signed {target.relative_to(ROOT)}")
    if stale:
        print("stale or wrongly signed event files (run python3 scripts/sign_events.py): " + ", ".join(stale), file=sys.stderr)
        return 1
    if check:
        print(f"{len(FUNCTIONS)} event files match their payloads and development secrets")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
