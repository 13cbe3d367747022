#!/usr/bin/env python3
"""Checks template.yaml against the limits of the platforms it sits between:

- an HTTP API waits at most 30 s for a Lambda integration (and Rossum's hook 30 s by default),
  so no function behind an HttpApi route may have a Timeout above 30;
- Inkit gives every webhook its own secret key, so every Inkit function reads its own secret
  and previous-secret parameters, shared with no other function;
- Inkit documents no redelivery, so the details a webhook could not fetch are retried from the
  records table's stream: the worker's event source reads the records table's stream, reports
  batch item failures, bisects, gives up after a bounded time into a dead-letter queue, and an
  alarm watches that queue.

The template is read with cfn-lint's CloudFormation decoder (the `!Ref`/`!Sub` tags included).

    .venv/bin/python tests/consistency/check_template_limits.py

Prints one line per check and exits non-zero on any failure.
"""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from check_wiring import load_template  # noqa: E402  (cfn-lint's CloudFormation decoder)

HTTP_API_MAX_WAIT_SECONDS = 30


def functions(template):
    for name, resource in template["Resources"].items():
        if resource.get("Type") == "AWS::Serverless::Function":
            yield name, resource.get("Properties", {})


def refs(value):
    """The parameter names a `!Ref` value names (one, or none)."""
    if isinstance(value, dict) and set(value) == {"Ref"}:
        return [value["Ref"]]
    return []


def walk(value):
    """Every dict and list nested in `value`, itself included."""
    yield value
    children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
    for child in children:
        yield from walk(child)


def check_details_worker(template, check):
    resources = template["Resources"]
    worker = resources.get("InkitDocumentDetailsFunction", {}).get("Properties", {})
    sources = [e.get("Properties", {}) for e in worker.get("Events", {}).values() if e.get("Type") == "DynamoDB"]
    check(len(sources) == 1, "InkitDocumentDetailsFunction has one DynamoDB stream event source")
    if not sources:
        return
    source = sources[0]
    check(source.get("Stream") == {"Fn::GetAtt": ["RecordsTable", "StreamArn"]}, "it reads the records table's stream")
    stream = resources["RecordsTable"]["Properties"].get("StreamSpecification", {})
    check(stream.get("StreamViewType") == "NEW_AND_OLD_IMAGES", "the records table streams new and old images (the event publisher tells changes apart)")
    check(source.get("FunctionResponseTypes") == ["ReportBatchItemFailures"], "pending records are reported one by one")
    check(source.get("BisectBatchOnFunctionError") in (True, "true"), "a failing batch is bisected")
    age = int(source.get("MaximumRecordAgeInSeconds", -1))
    retries = int(source.get("MaximumRetryAttempts", -1))
    check(0 < age <= 86400 or 0 <= retries <= 10000, f"retries end (record age {age} s, attempts {retries})")
    destination = source.get("DestinationConfig", {}).get("OnFailure", {})
    queue = destination.get("Destination", {}).get("Fn::GetAtt", [None])[0]
    check(destination.get("Type") == "SQS" and resources.get(queue, {}).get("Type") == "AWS::SQS::Queue",
          f"what is given up goes to the dead-letter queue {queue}")
    alarms = [r["Properties"] for r in resources.values() if r.get("Type") == "AWS::CloudWatch::Alarm"
              and r["Properties"].get("Namespace") == "AWS/SQS"
              and any(d.get("Value") == {"Fn::GetAtt": [queue, "QueueName"]} for d in r["Properties"].get("Dimensions", []))]
    check(len(alarms) == 1 and alarms[0].get("MetricName") == "ApproximateNumberOfMessagesVisible",
          "an alarm goes off on the first message in the dead-letter queue")
    pattern = source.get("FilterCriteria", {}).get("Filters", [{}])[0].get("Pattern", "{}")
    check('"DOCUMENT_CREATE_FINISHED"' in pattern and '"INSERT"' in pattern,
          "the filter passes the insertion of DOCUMENT_CREATE_FINISHED events only")
    check(int(worker.get("Timeout", 3)) * 1000 > int(worker.get("Environment", {}).get("Variables", {}).get("INKIT_API_DEADLINE_MS", 0)),
          "the worker's Timeout exceeds its Inkit deadline")


def main():
    template = load_template()
    default_timeout = template.get("Globals", {}).get("Function", {}).get("Timeout", 3)
    passed = failed = 0

    def check(ok, text):
        nonlocal passed, failed
        print(f"{'ok  ' if ok else 'FAIL'} {text}")
        passed, failed = passed + ok, failed + (not ok)

    parameters = template.get("Parameters", {})
    no_echo = {name for name, p in parameters.items() if p.get("NoEcho") in (True, "true")}
    resources = template["Resources"]
    secrets = {name for name, r in resources.items() if r.get("Type") == "AWS::SecretsManager::Secret"}
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
        in_env = sorted(v for v, value in variables.items() if set(refs(value)) & no_echo)
        check(not in_env, f"{name}: no secret value in its environment ({', '.join(in_env) or 'none'})")
        arns = {v: refs(value)[0] for v, value in variables.items() if v.endswith("_ARN") and refs(value)
                and refs(value)[0] in secrets}
        readable = [s["Resource"] for policy in properties.get("Policies", []) if isinstance(policy, dict)
                    for s in policy.get("Statement", []) if s.get("Action") == "secretsmanager:GetSecretValue"]
        readable = [r.get("Ref") if isinstance(r, dict) else r for r in readable]
        if arns or readable:
            check(len(arns) == 1 and readable == list(arns.values()),
                  f"{name}: may read only the secret its environment names ({arns}, policy: {readable})")
    for parameter in sorted(no_echo):
        users = [name for name, r in resources.items() if f"${{{parameter}}}" in json.dumps(r) or
                 {"Ref": parameter} in list(walk(r))]
        check(users and all(u in secrets for u in users),
              f"parameter {parameter} is read only by the secret holding it ({', '.join(users) or 'nobody'})")
    check(len(secrets) == 3, f"one secret per platform ({', '.join(sorted(secrets))})")
    check_details_worker(template, check)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
