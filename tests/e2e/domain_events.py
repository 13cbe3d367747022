#!/usr/bin/env python3
"""Every recorded outcome becomes its documented EventBridge event, through the records
table's stream and the publisher binary, at least once.

1. The release binaries of the status, export, email, upload, Inkit and contract.fit
   functions are handed their signed sample events (events/<function>.json) through a Lambda
   Runtime API and record them in DynamoDB Local (the Inkit API is a stand-in, so the
   finished document's details are fetched).
2. The records table's stream is read from DynamoDB Local (DynamoDB Streams API), passed
   through the FilterCriteria patterns of DomainEventsPublisherFunction in template.yaml, and
   handed as Lambda's DynamoDB event to the release `domain-events-publisher` binary, whose
   EVENTBRIDGE_ENDPOINT is a loopback stand-in of EventBridge's PutEvents (awsJson1_1). No
   EventBridge engine runs locally, so this stand-in speaks its wire protocol.
3. Each event is checked against the README's "Events on EventBridge": its source and
   detail-type as the table says, and its detail with exactly the keys of the documented
   example.
4. Partial failures: entries the stand-in fails once are sent again within the invocation and
   published; an entry it keeps failing is reported in batchItemFailures (its record's
   sequence number), and handed over again once EventBridge recovers, with the same event_id.

DynamoDB Local must be running at $DYNAMODB_ENDPOINT (the test command starts it).

    python3 tests/e2e/domain_events.py target/release

Prints one line per check and exits non-zero on any failure.
"""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
sys.path.insert(0, str(ROOT / "tests" / "faults"))
sys.path.insert(0, str(ROOT / "tests" / "consistency"))
from inkit_details import API_TOKEN, Checks, InkitStandIn, Streams  # noqa: E402
from aws_json_stand_in import EventBridgeStandIn  # noqa: E402
from lambda_binaries import SECRETS, RuntimeApi, lambda_env, prepare_tables  # noqa: E402

PUBLISHER = "domain-events-publisher"
BUS = "webhooks-e2e-events"

# The functions whose samples are recorded, in an order a platform could send them (the
# contract.fit document is deleted last), and the detail-types their records stand for.
FUNCTIONS = {
    "rossum-annotation-status": ["Annotation Status Changed"],
    "rossum-annotation-export": ["Export Ready"],
    "rossum-email-received": ["Email Received"],
    "rossum-upload-created": ["Upload Triaged"],
    "inkit-document-create-finished": ["Inkit Document Created"],
    "inkit-document-create-failed": ["Inkit Document Create Failed"],
    "inkit-document-deleted": ["Inkit Document Deleted"],
    "contractfit-document-text": ["contract.fit Text Stored"],
    "contractfit-document-split": ["contract.fit Split Stored"],
    "contractfit-document-predict": ["contract.fit Prediction Stored"],
    "contractfit-document-evaluate": ["contract.fit Evaluation Stored"],
    "contractfit-document-delete": ["contract.fit Document Deleted"],
}


def publisher_filters():
    """The FilterCriteria patterns of the publisher's event source in template.yaml."""
    text = (ROOT / "template.yaml").read_text()
    block = text[text.index("  DomainEventsPublisherFunction:"):]
    block = block[:block.index("\n  DomainEventsPublisherLogs:")]
    return [json.loads(p) for p in re.findall(r"- Pattern: '(.*)'", block)]


def matches(pattern, value):
    """Lambda's event filtering as the template uses it: lists of accepted values or
    {"prefix": ...}, nested keys; a record passes when any filter matches."""
    if isinstance(pattern, list):
        return any(value.startswith(p["prefix"]) if isinstance(p, dict) and isinstance(value, str)
                   else value == p for p in pattern)
    return isinstance(value, dict) and all(k in value and matches(p, value[k]) for k, p in pattern.items())


def documented():
    """The README's events: {detail-type: (source, example detail)}."""
    text = (ROOT / "README.md").read_text()
    if "## Events on EventBridge" not in text:
        return {}
    section = text[text.index("## Events on EventBridge"):]
    section = section[:section.index("\n## ", 3)]
    sources = dict(re.findall(r"^\| `([^`]+)` \| `([^`]+)` \|", section, re.M))
    examples = dict(re.findall(r"^\*\*`([^`]+)`\*\*[^\n]*\n+```json\n(.*?)\n```", section, re.M | re.S))
    return {kind: (source, json.loads(examples[kind]) if kind in examples else None)
            for kind, source in sources.items()}


def shape(detail):
    """The keys of a detail and of its record key (content such as a document is the
    platform's own, so its keys are not ours to document)."""
    return sorted(detail), sorted(detail.get("record", {}))


def record_samples(bin_dir, endpoint, records, vendors, check):
    inkit = InkitStandIn()
    inkit.down = False
    variables = {**SECRETS, "DYNAMODB_ENDPOINT": endpoint, "RECORDS_TABLE": records, "VENDOR_TABLE": vendors,
                 "INKIT_API_URL": inkit.url, "INKIT_API_TOKEN": API_TOKEN,
                 "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"}
    try:
        for function in FUNCTIONS:
            api = RuntimeApi()
            process = subprocess.Popen([str(bin_dir / function)], env=lambda_env(api, function, **variables),
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                _, kind, answer = api.invoke((ROOT / "events" / f"{function}.json").read_bytes())
                status = json.loads(answer).get("statusCode") if kind == "response" else None
                check(status == 200, f"{function}: its sample is recorded ({kind} {status})")
            finally:
                process.kill()
                process.wait(timeout=10)
                api.server.shutdown()
    finally:
        inkit.server.shutdown()


class Publisher:
    def __init__(self, bin_dir, eventbridge):
        self.api = RuntimeApi()
        self.process = subprocess.Popen(
            [str(bin_dir / PUBLISHER)],
            env=lambda_env(self.api, PUBLISHER, EVENTBRIDGE_ENDPOINT=eventbridge.url, EVENT_BUS_NAME=BUS,
                           AWS_ACCESS_KEY_ID="local", AWS_SECRET_ACCESS_KEY="local"),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

    def invoke(self, records):
        _, kind, answer = self.api.invoke(json.dumps({"Records": records}).encode())
        return json.loads(answer) if kind == "response" else {"error": kind, "answer": answer.decode()}

    def stop(self):
        self.process.kill()
        logs = self.process.communicate()[0].decode(errors="replace")
        self.api.server.shutdown()
        return logs


def published(stand_in, start=0):
    return [{"source": e["Source"], "detail-type": e["DetailType"], "bus": e.get("EventBusName"),
             "time": e.get("Time"), "detail": json.loads(e["Detail"])} for e in stand_in.taken[start:]]


def main(argv):
    bin_dir = Path(argv[1] if len(argv) > 1 else "target/release").resolve()
    endpoint = os.environ.get("DYNAMODB_ENDPOINT")
    if not endpoint:
        print("SKIPPED domain events end to end: DYNAMODB_ENDPOINT is not set (DynamoDB Local not started)")
        return 0
    check = Checks()
    vendors, records = prepare_tables(bin_dir, endpoint)
    record_samples(bin_dir, endpoint, records, vendors, check)

    stream = Streams(endpoint).stream_records(records)
    filters = publisher_filters()
    passed = [r for r in stream if any(matches(f, r) for f in filters)]
    check(len(filters) >= 2 and 0 < len(passed) < len(stream),
          f"the stream holds {len(stream)} records; the template's {len(filters)} filters pass {len(passed)}")
    check(all(r["dynamodb"].get("StreamViewType") == "NEW_AND_OLD_IMAGES" for r in stream),
          "the records table streams new and old images")

    eventbridge = EventBridgeStandIn()
    publisher = Publisher(bin_dir, eventbridge)
    try:
        # The stand-in fails two entries once each.
        eventbridge.failing.update({"Export Ready": 1, "Inkit Document Created": 1})
        response = publisher.invoke(passed)
        check(response == {"batchItemFailures": []}, f"every event is published, partial failures resent: {response}")
        events = published(eventbridge)
        check(eventbridge.malformed == [], f"every request is PutEvents in its JSON protocol, signed: {eventbridge.malformed}")
        check(len(eventbridge.requests) >= 2 and eventbridge.requests[1] == 2,
              f"the two failed entries alone were sent again: requests of {eventbridge.requests} entries")
        types = sorted(e["detail-type"] for e in events)
        expected = sorted(t for kinds in FUNCTIONS.values() for t in kinds)
        check(types == expected, f"one event per recorded outcome: {types}")
        check(all(e["bus"] == BUS for e in events), "every event goes to EVENT_BUS_NAME")
        ids = [e["detail"]["event_id"] for e in events]
        check(len(set(ids)) == len(ids) and all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids),
              "each event has an event_id of its own")

        docs = documented()
        for event in sorted(events, key=lambda e: e["detail-type"]):
            kind = event["detail-type"]
            source, example = docs.get(kind, (None, None))
            check(source == event["source"], f"{kind}: source {event['source']} as the README's table says ({source})")
            check(example is not None and shape(example) == shape(event["detail"]),
                  f"{kind}: the detail has exactly the documented keys"
                  + ("" if example is None or shape(example) == shape(event["detail"]) else
                     f" (documented {shape(example)}, published {shape(event['detail'])})"))
            check(event["detail"]["record"]["table"] == records and event["time"] is not None,
                  f"{kind}: the detail names its record's table and key; the entry has the record's time")
        if "--print" in argv:
            for event in events:
                print(json.dumps(event, indent=2))

        # An entry EventBridge keeps failing goes back to the stream; it is published once
        # EventBridge recovers, from its record's sequence number on, with the same event_id.
        by_id = {e["detail"]["event_id"]: e for e in events}
        stuck_id = ids[len(ids) // 2]
        eventbridge.failing[stuck_id] = 100
        start = len(eventbridge.taken)
        response = publisher.invoke(passed)
        failures = [f["itemIdentifier"] for f in response.get("batchItemFailures", [])]
        stuck = [r for r in passed if r["dynamodb"]["SequenceNumber"] in failures]
        check(len(failures) == 1 and len(stuck) == 1,
              f"an entry failing every resend is reported for the stream to hand over again: {response}")
        check(len(eventbridge.taken) - start == len(events) - 1, "the others are published (again: at least once)")
        eventbridge.failing[stuck_id] = 0
        retried = [r for r in passed if int(r["dynamodb"]["SequenceNumber"]) >= int(failures[0])] if failures else []
        start = len(eventbridge.taken)
        response = publisher.invoke(retried)
        again = published(eventbridge, start)
        check(response == {"batchItemFailures": []} and any(e["detail"]["event_id"] == stuck_id for e in again),
              f"handed over again once EventBridge recovers, it is published: {response}")
        check(all(by_id[e["detail"]["event_id"]]["detail"] == e["detail"] for e in again),
              "a republished event is the same event, with the same event_id (consumers de-duplicate on it)")
    finally:
        logs = publisher.stop()
        eventbridge.server.shutdown()

    import emf  # noqa: E402  (tests/consistency: needs jsonschema, which .venv has)
    lines = [json.loads(line) for line in logs.splitlines() if line.startswith("{")]
    metrics = [line for line in lines if "_aws" in line]
    problems = [p for line in metrics for p in emf.problems(line)]
    check(metrics and not problems and all("EventsPublished" in m and "EventsFailed" in m for m in metrics),
          f"the publisher's EMF lines validate ({len(metrics)} lines, problems: {problems[:3]})")
    handled = [line.get("fields", {}) for line in lines if line.get("fields", {}).get("message") == "batch handled"]
    check(len(handled) == 3, f"one log line per batch ({len(handled)})")

    print(f"{check.passed} passed, {check.failed} failed")
    return 1 if check.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
