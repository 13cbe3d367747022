#!/usr/bin/env python3
"""Webhook secrets read at run time by the release Lambda binaries, from Secrets Manager.

The release `rossum-annotation-status` and `inkit-document-deleted` binaries are started
against a Lambda Runtime API with only the ARN of their platform's secret in the environment
(ROSSUM_HOOK_SECRET_ARN, INKIT_WEBHOOK_SECRET_ARN: no secret value) and
SECRETS_MANAGER_ENDPOINT at a loopback stand-in of Secrets Manager's JSON protocol
(GetSecretValue, awsJson1_1): no Secrets Manager engine runs locally. Their signed samples
(events/<function>.json) must be:

- accepted with the secret read once, during initialisation, and not again within the TTL;
- accepted through a rotation: the new value put as current (the old as previous) while the
  sample keeps arriving signed by the old one, then deliveries signed by the new one, the first
  of which refreshes the cache; no delivery fails;
- refused with 503 and Retry-After while the secret cannot be read, never accepted unverified.

DynamoDB Local must be running at $DYNAMODB_ENDPOINT (the test command starts it).

    python3 tests/e2e/secrets_at_run_time.py target/release

Prints one line per check and exits non-zero on any failure.
"""
import hashlib
import hmac
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
sys.path.insert(0, str(ROOT / "tests" / "faults"))
sys.path.insert(0, str(ROOT / "tests"))
from aws_json_stand_in import SecretsManagerStandIn  # noqa: E402
from inkit_details import Checks  # noqa: E402
from lambda_binaries import SECRETS, RuntimeApi, lambda_env, prepare_tables  # noqa: E402

ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:webhooks-{}-AbCdEf"


def resigned(function, secret, header, prefix=""):
    """The function's sample event with its body signed by `secret` instead."""
    event = json.loads((ROOT / "events" / f"{function}.json").read_text())
    digest = hmac.new(secret.encode(), event["body"].encode(), hashlib.sha256).hexdigest()
    event["headers"][header] = prefix + digest
    return json.dumps(event).encode()


def status_of(api, event):
    _, kind, answer = api.invoke(event)
    if kind != "response":
        return kind, None
    proxy = json.loads(answer)
    return proxy.get("statusCode"), (proxy.get("headers") or {}).get("retry-after")


def run(bin_dir, function, variable, secret_of, header, prefix, endpoint, records, check):
    old, new = SECRETS[secret_of], f"{SECRETS[secret_of]}-rotated"
    arn = ARN.format(function)
    value = (lambda current, previous="": {"current": current, "previous": previous})
    wrap = (lambda v: v) if function.startswith("rossum") else (lambda v: {"DOCUMENT_DELETED": v})
    stand_in = SecretsManagerStandIn({arn: json.dumps(wrap(value(old)))})
    api = RuntimeApi()
    env = lambda_env(api, function, **{variable: arn}, SECRETS_MANAGER_ENDPOINT=stand_in.url,
                     SECRETS_TTL_SECONDS="300", DYNAMODB_ENDPOINT=endpoint, RECORDS_TABLE=records,
                     AWS_ACCESS_KEY_ID="local", AWS_SECRET_ACCESS_KEY="local")
    check(not any(name.endswith(("_SECRET", "_TOKEN")) for name in env),
          f"{function}: the environment holds the secret's ARN, no secret value")
    process = subprocess.Popen([str(bin_dir / function)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    by_old, by_new = resigned(function, old, header, prefix), resigned(function, new, header, prefix)
    try:
        statuses = [status_of(api, by_old)[0] for _ in range(3)]
        check(statuses == [200, 200, 200] and stand_in.reads.get(arn) == 1,
              f"{function}: deliveries accepted, the secret read once (at start-up) for three: {statuses}, "
              f"{stand_in.reads.get(arn)} reads")
        stand_in.secrets[arn] = json.dumps(wrap(value(new, old)))
        rotation = [status_of(api, by_old)[0], status_of(api, by_new)[0], status_of(api, by_old)[0],
                    status_of(api, by_new)[0]]
        check(rotation == [200, 200, 200, 200] and stand_in.reads.get(arn) == 2,
              f"{function}: a rotation without a failed delivery (old, new, old, new: {rotation}); the first "
              f"delivery by the new secret read it once more ({stand_in.reads.get(arn)} reads)")
        forged = resigned(function, "not-the-secret", header, prefix)
        check(status_of(api, forged)[0] == 401, f"{function}: a forged delivery is refused with 401")
    finally:
        process.kill()
        logs = process.communicate()[0].decode(errors="replace")
        api.server.shutdown()
    check(old not in logs and new not in logs, f"{function}: no secret value in its logs")

    # The store unreachable from the start: 503 with Retry-After, never an acceptance.
    stand_in.down = True
    api = RuntimeApi()
    env = lambda_env(api, function, **{variable: arn}, SECRETS_MANAGER_ENDPOINT=stand_in.url,
                     DYNAMODB_ENDPOINT=endpoint, RECORDS_TABLE=records,
                     AWS_ACCESS_KEY_ID="local", AWS_SECRET_ACCESS_KEY="local")
    process = subprocess.Popen([str(bin_dir / function)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        down = status_of(api, by_old)
        check(down[0] == 503 and down[1] is not None,
              f"{function}: the secret store unreachable: 503 with Retry-After ({down})")
        stand_in.down = False
        check(status_of(api, by_new)[0] == 200, f"{function}: the store back, the next delivery is accepted")
    finally:
        process.kill()
        process.wait(timeout=10)
        api.server.shutdown()
        stand_in.server.shutdown()
    check(stand_in.malformed == [], f"{function}: every read is a signed GetSecretValue in the JSON protocol")


def main(argv):
    bin_dir = Path(argv[1] if len(argv) > 1 else "target/release").resolve()
    endpoint = os.environ.get("DYNAMODB_ENDPOINT")
    if not endpoint:
        print("SKIPPED secrets at run time: DYNAMODB_ENDPOINT is not set (DynamoDB Local not started)")
        return 0
    check = Checks()
    _, records = prepare_tables(bin_dir, endpoint)
    run(bin_dir, "rossum-annotation-status", "ROSSUM_HOOK_SECRET_ARN", "ROSSUM_HOOK_SECRET",
        "x-rossum-signature-sha256", "sha256=", endpoint, records, check)
    run(bin_dir, "inkit-document-deleted", "INKIT_WEBHOOK_SECRET_ARN", "INKIT_DOCUMENT_DELETED_WEBHOOK_SECRET",
        "inkit-signature", "", endpoint, records, check)
    print(f"{check.passed} passed, {check.failed} failed")
    return 1 if check.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
