#!/usr/bin/env python3
"""Business Rules Validation checks end to end on the local server, signed by Python.

    python3 tests/e2e/business_rules.py target/release

Puts a selection of the checks Rossum publishes (rossum.university "Business Rules
Validation", its "Configuration examples" and "Expression Engine" pages), written with the
sample's schema ids, into the settings of the sample initialize delivery
(`events/payloads/rossum-annotation-initialize.json`) and of variations of it, and posts them
to the initialize, updated and export routes: checks every message (type, datapoint, text), the
automation blockers, and on export that an error answers with it and writes no export record
while a passing export writes one.

Then the same cases through the release Lambda binaries of initialize, updated and export,
each started against a Lambda Runtime API as Lambda starts them, on DynamoDB Local (the vendor
and records tables; export records are read back from the table): the same answers as the
local server, and the same export records. Skipped, with a line saying so, when
DYNAMODB_ENDPOINT is not set.

Last, the built-in checks as shipped (`events/settings/initialize.checks.json`,
`export.checks.json`) pasted into the settings of the sample and of each variation the built-in
sum checks and required fields catch: the same messages (type and datapoint), the same
automation blockers and the same export outcome as without them.
Prints 'N passed, N failed' and exits non-zero on any failure.
"""
import copy
import hashlib
import hmac
import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
sys.path.insert(0, str(ROOT / "tests" / "faults"))
import lambda_binaries  # noqa: E402  (the Lambda Runtime API the binaries are started against)
from local_stack import DynamoDb  # noqa: E402  (DynamoDB JSON API calls)

SECRET = b"rossum-development-secret"
SAMPLE = json.loads((ROOT / "events/payloads/rossum-annotation-initialize.json").read_text())

INVOICE_ID, DATE_ISSUE, DATE_DUE, ORDER_ID = 6600002, 6600003, 6600004, 6600005
SENDER_NAME, SENDER_VAT_ID, IBAN, VENDOR = 6600011, 6600012, 6600013, 6600015
AMOUNT_TOTAL = 6600023
ROW_QUANTITY = [6601002, 6601012, 6601022, 6601032]
ROW_TOTAL = [6601004, 6601014, 6601024, 6601034]

MANDATORY = "Invoice number is mandatory."
FACE_VALUE = "Total amount is not equal to the sum of amount base and the tax"
LINES = "The sum of line items is not equal to the total amount."
ONE_VALUE = "At least one value has to be filled."
OLD = "The issue date is before 2023."
DUE = "The due date is more than 120 days after the issue date."
ROW = "Quantity times unit price is not the line total."
SENDER = "The sender is not Rossum."
ELSEWHERE = "Shown only in queues 123 and 456."
ORDER_DUE = "An invoice for an order needs a due date."

CHECKS = [
    # https://rossum.university/docs/learn/business-rules-validation (the default check)
    {"rule": "has_value({invoice_id})", "message": MANDATORY},
    # https://rossum.university/docs/learn/business-rules-validation/configuration-examples
    {"rule": "{amount_total} == {amount_total_base} + {amount_total_tax}", "type": "error",
     "message": FACE_VALUE, "automation_blocker": True},
    {"rule": "sum({item_amount_total}) == {amount_total}", "type": "error", "message": LINES,
     "automation_blocker": True},
    {"or": [{"rule": "has_value({order_id})", "message": ONE_VALUE},
            {"rule": "has_value({sender_vat_id})", "message": ONE_VALUE},
            {"rule": "has_value({iban})", "message": ONE_VALUE}]},
    # https://rossum.university/docs/learn/business-rules-validation/expression-engine
    {"rule": '{date_issue} > "2023-01-01"', "message": OLD, "type": "warning"},
    {"rule": "{date_due} <= {date_issue} + timedelta(days=120)", "message": DUE, "type": "warning"},
    {"rule": "{item_quantity} * {item_amount_base} == {item_amount_total}", "message": ROW,
     "type": "warning"},
    {"rule": 'regexp("rossum", {sender_name}, ignore_case=True)', "message": SENDER, "type": "info",
     "automation_blocker": True, "queue_ids": [24710]},
    {"rule": 'regexp("rossum", {sender_name}, ignore_case=True)', "message": ELSEWHERE,
     "queue_ids": [123, 456]},
    # https://rossum.university/docs/learn/business-rules-validation ("condition")
    {"rule": "has_value({date_due})", "message": ORDER_DUE, "condition": "has_value({order_id})"},
]
OURS = {MANDATORY, FACE_VALUE, LINES, ONE_VALUE, OLD, DUE, ROW, SENDER, ELSEWHERE, ORDER_DUE}


def set_value(payload, datapoint_id, value):
    """Sets the value, and the normalised value as Rossum would (none when emptied)."""
    def walk(nodes):
        for node in nodes:
            if node["id"] == datapoint_id:
                node["content"]["value"] = value
                node["content"]["normalized_value"] = value or None
            walk(node.get("children") or [])
    walk(payload["annotation"]["content"])


def delivery(action="initialize", values=None, updated=(), annotation_id=None):
    payload = copy.deepcopy(SAMPLE)
    payload["action"] = action
    # Each delivery its own: a request id seen with another body is refused as a replay.
    payload["request_id"] = str(uuid.uuid4())
    payload["updated_datapoints"] = list(updated)
    payload["settings"]["checks"] = copy.deepcopy(CHECKS)
    payload["settings"]["variables"] = {}
    for datapoint_id, value in (values or {}).items():
        set_value(payload, datapoint_id, value)
    if action == "export":
        # As initialize left it: the vendor matched; then confirmed and exporting.
        set_value(payload, VENDOR, "V-10027")
        payload["annotation"]["status"] = "exporting"
        payload["timestamp"] = "2026-11-20T09:52:44.118204Z"
    if annotation_id is not None:
        payload["annotation"]["id"] = annotation_id
    return payload


def checked(answer):
    """The checks' messages as sorted (type, datapoint, text)."""
    return sorted((m["type"], m.get("id"), m["content"]) for m in answer.get("messages", [])
                  if m["content"] in OURS)


def blockers(answer):
    return sorted((b.get("id"), b["content"]) for b in answer.get("automation_blockers", []))


def others(answer):
    """Messages not from the checks: a check's warning (prefixed 'Business rules:') or an error
    of a built-in rule would show here."""
    return [m for m in answer.get("messages", []) if m["content"] not in OURS]


SAMPLE_ROWS = [("warning", ROW_QUANTITY[0], ROW), ("warning", ROW_QUANTITY[2], ROW)]
SAMPLE_MESSAGES = sorted(SAMPLE_ROWS + [("info", SENDER_NAME, SENDER)])


def cases():
    """(name, route, payload, expected status, check of the answer, annotation id whose export
    record must be written (True) or not (False), or None)."""
    yield ("initialize, the sample: rows whose total includes VAT warned per row, the info that blocks "
           "automation, the other queue's check and every passing check silent",
           "initialize", delivery(), 200,
           lambda a: checked(a) == SAMPLE_MESSAGES and blockers(a) == [(SENDER_NAME, SENDER)] and not others(a),
           None)
    yield ("initialize, a total the lines and the base plus tax do not give: two blocking errors on the total",
           "initialize", delivery(values={AMOUNT_TOTAL: "3100.00"}), 200,
           lambda a: checked(a) == sorted(SAMPLE_MESSAGES + [("error", AMOUNT_TOTAL, FACE_VALUE),
                                                             ("error", AMOUNT_TOTAL, LINES)])
           and blockers(a) == sorted([(SENDER_NAME, SENDER), (AMOUNT_TOTAL, FACE_VALUE), (AMOUNT_TOTAL, LINES)]),
           None)
    yield ("initialize, no invoice number: the default check's error blocks automation",
           "initialize", delivery(values={INVOICE_ID: ""}), 200,
           lambda a: ("error", INVOICE_ID, MANDATORY) in checked(a) and (INVOICE_ID, MANDATORY) in blockers(a),
           None)
    yield ("initialize, the or group: one message, on its first datapoint, only when all three are empty",
           "initialize", delivery(values={ORDER_ID: "", SENDER_VAT_ID: "", IBAN: ""}), 200,
           lambda a: [c for c in checked(a) if c[2] == ONE_VALUE] == [("error", ORDER_ID, ONE_VALUE)]
           and (ORDER_ID, ONE_VALUE) in blockers(a),
           None)
    yield ("initialize, two of the or group empty: it passes",
           "initialize", delivery(values={ORDER_ID: "", IBAN: ""}), 200,
           lambda a: not [c for c in checked(a) if c[2] == ONE_VALUE], None)
    yield ("initialize, the condition holds (an order number): an empty due date is an error",
           "initialize", delivery(values={DATE_DUE: ""}), 200,
           lambda a: ("error", DATE_DUE, ORDER_DUE) in checked(a)
           and not [c for c in checked(a) if c[2] == DUE], None)
    yield ("initialize, the condition does not hold (no order number): no message for the due date",
           "initialize", delivery(values={DATE_DUE: "", ORDER_ID: ""}), 200,
           lambda a: not [c for c in checked(a) if c[2] == ORDER_DUE], None)
    yield ("initialize, dates: an issue date before 2023 and a due date 120+ days later are warnings",
           "initialize", delivery(values={DATE_ISSUE: "2022-12-31"}), 200,
           lambda a: checked(a) == sorted(SAMPLE_MESSAGES + [("warning", DATE_ISSUE, OLD), ("warning", DATE_DUE, DUE)])
           and blockers(a) == [(SENDER_NAME, SENDER)], None)
    yield ("updated, the total edited: only the checks reading it run, and updated has no blockers",
           "updated", delivery("updated", {AMOUNT_TOTAL: "3100.00"}, [AMOUNT_TOTAL]), 200,
           lambda a: checked(a) == sorted([("error", AMOUNT_TOTAL, FACE_VALUE), ("error", AMOUNT_TOTAL, LINES)])
           and "automation_blockers" not in a, None)
    yield ("updated, row 3's total edited to its base: the row check and the line sum run",
           "updated", delivery("updated", {ROW_TOTAL[2]: "998.00"}, [ROW_TOTAL[2]]), 200,
           lambda a: checked(a) == sorted([SAMPLE_ROWS[0], ("error", AMOUNT_TOTAL, LINES)]), None)
    yield ("updated, the sender's name edited: its check alone runs",
           "updated", delivery("updated", {SENDER_NAME: "Acme B.V."}, [SENDER_NAME]), 200,
           lambda a: checked(a) == [("info", SENDER_NAME, SENDER)] and "automation_blockers" not in a, None)
    yield ("export, an error check fails: the error is the answer and no export record is written",
           "export", delivery("export", {AMOUNT_TOTAL: "3100.00"}, annotation_id=4480799), 200,
           lambda a: ("error", AMOUNT_TOTAL, FACE_VALUE) in checked(a) and ("error", AMOUNT_TOTAL, LINES) in checked(a)
           and a.get("operations") == [], (4480799, False))
    yield ("export, every error check passes: the warnings and the info are shown and the export is recorded",
           "export", delivery("export"), 200,
           lambda a: checked(a) == SAMPLE_MESSAGES and not others(a) and a.get("operations") == [],
           (SAMPLE["annotation"]["id"], True))
    broken = delivery()
    broken["settings"]["checks"].append({"rule": "has_value({invoice_id}", "message": "m"})
    yield ("a rule that does not parse is a 400 naming the check",
           "initialize", broken, 400,
           lambda a: a.get("error") == "malformed_body" and "checks[10].rule" in a["messages"][0]["content"], None)


def post(base, route, payload):
    body = json.dumps(payload).encode()
    signature = hmac.new(SECRET, body, hashlib.sha256).hexdigest()
    request = urllib.request.Request(base + "/rossum/annotation-content/" + route, data=body, method="POST",
                                     headers={"Content-Type": "application/json",
                                              "X-Rossum-Signature-SHA256": "sha256=" + signature})
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def serve(binary, env):
    server = subprocess.Popen([binary, "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              env=env, text=True)
    log = []
    for line in server.stdout:
        log.append(line)
        if line.startswith("listening on "):
            # Keep reading the log (so a full pipe never blocks the server), for the export lines.
            threading.Thread(target=lambda: [log.append(l) for l in server.stdout], daemon=True).start()
            return server, line.split()[-1], log
    server.wait(timeout=10)
    raise SystemExit("local-server did not start:\n" + "".join(log))


def recorded(log, annotation_id):
    """Whether the server logged writing the export record of `annotation_id`."""
    deadline = time.time() + 2
    while time.time() < deadline:
        if any("export record" in line and f"annotation_id={annotation_id}" in line for line in list(log)):
            return True
        time.sleep(0.05)
    return False


def export_recorded(db, table, annotation_id):
    return any(item.get("pk") == f"EXPORT#{annotation_id}" for item in db.scan(table))


def run_binaries(target, endpoint, results):
    """Every case through its function's binary, as the local server answered it (`results`:
    the local server's (status, answer) per case); export records read back from DynamoDB."""
    vendors, records = lambda_binaries.prepare_tables(target, endpoint)
    db = DynamoDb(endpoint)
    passed = failed = 0
    functions = [f"rossum-annotation-{action}" for action in ("initialize", "updated", "export")]
    with lambda_binaries.started(target, functions, ROSSUM_HOOK_SECRET=SECRET.decode(),
                                 DYNAMODB_ENDPOINT=endpoint, VENDOR_TABLE=vendors, RECORDS_TABLE=records,
                                 AWS_ACCESS_KEY_ID="local", AWS_SECRET_ACCESS_KEY="local") as deliver:
        for (name, route, payload, status, check, export), local in zip(cases(), results):
            # A request id of its own: the local server already took the case's.
            payload["request_id"] = str(uuid.uuid4())
            if export is not None:
                payload["annotation"]["id"] = export[0] + 1_000_000
            got, answer = deliver(f"rossum-annotation-{route}", "/rossum/annotation-content/" + route,
                                  json.dumps(payload).encode(), SECRET)
            try:
                ok = got == status and check(answer) and (got, answer) == local
            except (KeyError, TypeError, IndexError):
                ok = False
            if ok and export is not None:
                ok = export_recorded(db, records, export[0] + 1_000_000) == export[1]
            print(f"{'ok  ' if ok else 'FAIL'} [rossum-annotation-{route} binary] {name}: {got} "
                  f"{json.dumps(answer)[:200]}")
            passed, failed = passed + ok, failed + (not ok)
    return passed, failed


def shipped(name):
    return json.loads((ROOT / "events/settings" / name).read_text())


def built_in_variants():
    """The sample and each thing the built-in sum checks and required fields catch."""
    yield "the sample", {}
    yield "a total the lines do not add up to", {AMOUNT_TOTAL: "3100.00"}
    yield "within the tolerance", {AMOUNT_TOTAL: "3085.09"}
    yield "no invoice number", {INVOICE_ID: ""}
    yield "no issue date", {DATE_ISSUE: ""}


def shape(answer):
    """Where the messages are and of what type, which datapoints block, what is set."""
    return (sorted((m["type"], m.get("id")) for m in answer.get("messages", [])),
            sorted(b.get("id") for b in answer.get("automation_blockers", [])),
            answer.get("operations"))


def shipped_defaults(base, log):
    """The shipped checks answer as the built-in rules they replace."""
    passed = failed = 0
    for route, settings in (("initialize", shipped("initialize.checks.json")),
                            ("export", shipped("export.checks.json"))):
        for number, (case, values) in enumerate(built_in_variants()):
            answers, exported = [], []
            for with_checks in (False, True):
                payload = delivery(route, values)
                del payload["settings"]["checks"], payload["settings"]["variables"]
                if with_checks:
                    payload["settings"].update(copy.deepcopy(settings))
                annotation_id = 4490000 + number * 10 + with_checks + (100 if route == "export" else 0)
                payload["annotation"]["id"] = annotation_id
                got, answer = post(base, route, payload)
                answers.append((got, shape(answer)))
                if route == "export":
                    exported.append(recorded(log, annotation_id))
            ok = answers[0] == answers[1] and answers[0][0] == 200 and (route != "export" or exported[0] == exported[1])
            print(f"{'ok  ' if ok else 'FAIL'} shipped {route} checks answer as the built-in rules: {case}: "
                  f"{answers[1]}{' exported' if exported and exported[1] else ''}"
                  + ("" if ok else f" against {answers[0]}"))
            passed, failed = passed + ok, failed + (not ok)
    return passed, failed


def main(argv):
    target = Path(argv[1] if len(argv) > 1 else ROOT / "target/debug")
    binary = target / "local-server" if target.is_dir() else target
    target = binary.parent
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("ROSSUM_", "INKIT_", "CONTRACTFIT_", "PORT", "DYNAMODB_", "VENDOR_", "RECORDS_", "AWS_"))}
    server, base, log = serve(str(binary), env)
    passed = failed = 0
    results = []
    try:
        for name, route, payload, status, check, export in cases():
            got, answer = post(base, route, payload)
            results.append((got, answer))
            try:
                ok = got == status and check(answer)
            except (KeyError, TypeError, IndexError):
                ok = False
            if ok and export is not None:
                annotation_id, written = export
                ok = recorded(log, annotation_id) == written
            print(f"{'ok  ' if ok else 'FAIL'} {name}: {got} {json.dumps(answer)[:240]}")
            passed, failed = passed + ok, failed + (not ok)
        p, f = shipped_defaults(base, log)
        passed, failed = passed + p, failed + f
    finally:
        server.terminate()
        server.wait(timeout=10)
    endpoint = os.environ.get("DYNAMODB_ENDPOINT")
    if not endpoint:
        print("skipped: the Lambda binaries on DynamoDB Local (DYNAMODB_ENDPOINT is not set; ./scripts/test starts it)")
    else:
        p, f = run_binaries(target, endpoint, results)
        passed, failed = passed + p, failed + f
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
