#!/usr/bin/env python3
"""Master Data Hub configurations end to end on the local server, signed by Python.

    python3 tests/e2e/master_data.py target/release

Runs the README's line-item example (`events/master-data/invoice-with-purchase-order.json`) and
variations of its configurations against the local server twice: with the sample datasets
served from files (`--dataset`), and with the same files imported by `dataset-import` into
DynamoDB Local (`--dynamodb-endpoint`; skipped with a line saying so when DYNAMODB_ENDPOINT is
not set), and then through the release Lambda binaries of initialize and updated on that table,
started against a Lambda Runtime API as Lambda starts them. Checks every answer, and that the
files, the local server on DynamoDB Local and the binaries give the same answers.
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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
import lambda_binaries  # noqa: E402  (the Lambda Runtime API the binaries are started against)
MASTER_DATA = ROOT / "events/master-data"
SECRET = b"rossum-development-secret"
INVOICE = json.loads((MASTER_DATA / "invoice-with-purchase-order.json").read_text())
VENDOR, PO = 6600015, 6600006
ORDER_ID, VAT_ID = 6600005, 6600012

# name, file, indexes, fuzzy indexes
DATASETS = [
    ("vendors", "vendors.csv", ["vat_id", "iban"], ["name"]),
    ("purchase_orders", "purchase_orders.json", ["po_number+vendor_id", "vendor_id"], []),
    ("purchase_order_lines", "purchase_order_lines.csv", ["po_number"], []),
    ("products", "products.jsonl", ["code"], ["name"]),
]


def row(r):
    """Row r's PO-line, product and unit cell ids."""
    base = 6601000 + r * 10
    return base + 6, base + 7, base + 8


def set_value(payload, datapoint_id, value):
    def walk(nodes):
        for node in nodes:
            if node["id"] == datapoint_id:
                node["content"]["value"] = value
            walk(node.get("children") or [])
    walk(payload["annotation"]["content"])


def delivery(action="initialize", edit=None, configurations=None, updated=()):
    payload = copy.deepcopy(INVOICE)
    payload["action"] = action
    payload["updated_datapoints"] = list(updated)
    if configurations is not None:
        payload["settings"]["configurations"] = configurations
    if edit:
        edit(payload)
    return payload


def shipped(index):
    return copy.deepcopy(INVOICE["settings"]["configurations"][index])


def value(answer, datapoint_id):
    for op in answer.get("operations", []):
        if op["id"] == datapoint_id:
            return op["value"]["content"]["value"]
    return None


def options(answer, datapoint_id):
    for op in answer.get("operations", []):
        if op["id"] == datapoint_id:
            return [o["value"] for o in op["value"].get("options", [])]
    return None


def messages_on(answer, datapoint_id):
    return [(m["type"], m["content"]) for m in answer.get("messages", []) if m.get("id") == datapoint_id]


def blocked(answer, datapoint_id):
    return any(b.get("id") == datapoint_id for b in answer.get("automation_blockers", []))


def po_config(**changes):
    config = shipped(1)
    config.update(changes)
    return config


def cases():
    """(name, route action, payload, check) for every behaviour the issue lists."""
    def chain(a):
        rows_ok = all(value(a, row(r)[0]) == str(r + 1) and value(a, row(r)[1]) and value(a, row(r)[2])
                      for r in range(3))
        line, product, _ = row(3)
        return (value(a, VENDOR) == "V-10027" and value(a, PO) == "PO-88120" and rows_ok
                and value(a, line) is None
                and messages_on(a, line) == [("warning", "This line is not on the purchase order.")]
                and messages_on(a, product) == [("error", "No product matches this line.")]
                and blocked(a, product))
    yield "vendor, its PO, PO lines after the PO, products per line with one row unmatched", delivery(), chain

    yield ("vendor by VAT id (exact)",
           delivery(edit=lambda p: set_value(p, VAT_ID, "NL853122947B01"), configurations=[shipped(0)]),
           lambda a: value(a, VENDOR) == "V-10027" and options(a, VENDOR) == ["V-10027"])

    no_po = po_config(default={"value": "NONE", "label": "no purchase order"})
    yield ("no match selects the default, first of the options, with the warning",
           delivery(edit=lambda p: set_value(p, ORDER_ID, "PO-00000"), configurations=[shipped(0), no_po]),
           lambda a: value(a, PO) == "NONE" and options(a, PO) == ["NONE"]
           and messages_on(a, PO) == [("warning", "No purchase order of this vendor has this number.")]
           and not blocked(a, PO))

    def by_vendor(select):
        config = po_config(source={"dataset": "purchase_orders", "queries": [{"find": {"vendor_id": "{vendor_match}"}}]},
                           default={"value": "CHOOSE", "label": "choose a PO"})
        config["result_actions"] = {"multiple_matches_found": {"select": select,
                                    "message": {"type": "info", "content": "Several purchase orders."}}}
        return [shipped(0), config]
    yield ("several matches with select best_match: the first in file order, every match offered",
           delivery(configurations=by_vendor("best_match")),
           lambda a: value(a, PO) == "PO-88120" and options(a, PO)[:3] == ["PO-88120", "PO-88121", "PO-88122"]
           and "CHOOSE" not in options(a, PO) and messages_on(a, PO) == [("info", "Several purchase orders.")])
    yield ("several matches with select default: the default first, then the matches",
           delivery(configurations=by_vendor("default")),
           lambda a: value(a, PO) == "CHOOSE" and options(a, PO)[:2] == ["CHOOSE", "PO-88120"])

    yield ("additional mappings copy the product's unit into the row",
           delivery(configurations=[shipped(3)]),
           lambda a: all(value(a, row(r)[2]) not in (None, "") for r in range(3)))

    def with_queues(ids):
        config = shipped(0)
        config["queue_ids"] = ids
        return delivery(configurations=[config])
    yield ("queue_ids naming another queue: the configuration does not run",
           with_queues([1, 2]), lambda a: value(a, VENDOR) is None and not messages_on(a, VENDOR))
    yield ("queue_ids naming the annotation's queue: it runs",
           with_queues([24710]), lambda a: value(a, VENDOR) == "V-10027")

    conditional = po_config(action_condition="'{order_id}' != ''")
    def emptied_order(p):
        set_value(p, ORDER_ID, "")
        set_value(p, PO, "PO-88120")
    yield ("action_condition false: the target is emptied, with no message",
           delivery(edit=emptied_order, configurations=[shipped(0), conditional]),
           lambda a: value(a, PO) == "" and options(a, PO) == [] and not messages_on(a, PO))

    def edited_row(p):
        p["annotation"]["content"][3]["children"][0]["children"][3]["children"][0]["content"]["value"] = \
            "Copy paper A4 80 g, box of 5 reams"
    yield ("updated: the edited row alone is matched again",
           delivery("updated", edit=edited_row, configurations=[shipped(3)], updated=[6601031]),
           lambda a: value(a, row(3)[1]) == "OFF-PAPER-A4"
           and {op["id"] for op in a["operations"]} <= {row(3)[1], row(3)[2], 6601015, 6601035})

    bad = po_config(source={"dataset": "purchase_orders", "queries": [{"find": {"status": "open"}}]})
    yield ("a find no index covers is a 400 naming the flag",
           delivery(configurations=[bad]),
           lambda a: a.get("error") == "malformed_body" and "--index status" in a["messages"][0]["content"])



def post(base, payload):
    route = "/rossum/annotation-content/" + ("initialize" if payload["action"] == "initialize" else "updated")
    body = json.dumps(payload).encode()
    signature = hmac.new(SECRET, body, hashlib.sha256).hexdigest()
    request = urllib.request.Request(base + route, data=body, method="POST", headers={
        "Content-Type": "application/json", "X-Rossum-Signature-SHA256": "sha256=" + signature})
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def serve(binary, args, env):
    server = subprocess.Popen([binary, "--port", "0", *args], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, env=env, text=True)
    log = []
    for line in server.stdout:
        log.append(line)
        if line.startswith("listening on "):
            threading.Thread(target=lambda: [None for _ in server.stdout], daemon=True).start()
            return server, line.split()[-1]
    server.wait(timeout=10)
    raise SystemExit("local-server did not start:\n" + "".join(log))


def run_all(label, base):
    passed = failed = 0
    answers = []
    for name, payload, check in cases():
        status, answer = post(base, payload)
        try:
            expected = 400 if "400" in name else 200
            ok = status == expected and check(answer)
        except (KeyError, TypeError, IndexError):
            ok = False
        answers.append(answer)
        print(f"{'ok  ' if ok else 'FAIL'} [{label}] {name}: {status} {json.dumps(answer)[:200]}")
        passed, failed = passed + ok, failed + (not ok)
    return passed, failed, answers


def run_binaries(target, env, endpoint, table):
    """Every case through the initialize or updated binary, on the imported table."""
    functions = ("rossum-annotation-initialize", "rossum-annotation-updated")
    with lambda_binaries.started(target, functions, ROSSUM_HOOK_SECRET=SECRET.decode(),
                                 DYNAMODB_ENDPOINT=endpoint, VENDOR_TABLE=table,
                                 AWS_ACCESS_KEY_ID="local", AWS_SECRET_ACCESS_KEY="local") as deliver:
        passed = failed = 0
        answers = []
        for name, payload, check in cases():
            action = "initialize" if payload["action"] == "initialize" else "updated"
            function = f"rossum-annotation-{action}"
            status, answer = deliver(function, "/rossum/annotation-content/" + action,
                                     json.dumps(payload).encode(), SECRET)
            expected = 400 if "400" in name else 200
            try:
                ok = status == expected and check(answer)
            except (KeyError, TypeError, IndexError):
                ok = False
            answers.append(answer)
            print(f"{'ok  ' if ok else 'FAIL'} [{function} binary] {name}: {status} {json.dumps(answer)[:200]}")
            passed, failed = passed + ok, failed + (not ok)
        return passed, failed, answers


def main(argv):
    target = Path(argv[1] if len(argv) > 1 else ROOT / "target/debug")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("ROSSUM_", "INKIT_", "CONTRACTFIT_", "PORT", "DYNAMODB_", "VENDOR_", "RECORDS_"))}
    file_args = []
    for name, file, indexes, fuzzy in DATASETS:
        file_args += ["--dataset", f"{name}={MASTER_DATA / file}"]
        file_args += [a for i in indexes for a in ("--index", f"{name}.{i}")]
        file_args += [a for f in fuzzy for a in ("--fuzzy-index", f"{name}.{f}")]
    server, base = serve(str(target / "local-server"), file_args, env)
    try:
        passed, failed, in_memory = run_all("files", base)
    finally:
        server.terminate()
        server.wait(timeout=10)

    endpoint = os.environ.get("DYNAMODB_ENDPOINT")
    if not endpoint:
        print("skipped: DynamoDB Local (DYNAMODB_ENDPOINT is not set; ./scripts/test starts it)")
    else:
        table = f"master-data-e2e-{os.getpid()}-{int(time.time())}"
        for name, file, indexes, fuzzy in DATASETS:
            command = [str(target / "dataset-import"), name, str(MASTER_DATA / file), "--table", table,
                       "--dynamodb-endpoint", endpoint, "--create-table", "--fail-on-rejected"]
            command += [a for i in indexes for a in ("--index", i)]
            command += [a for f in fuzzy for a in ("--fuzzy-index", f)]
            subprocess.run(command, check=True, env={**env, "AWS_ACCESS_KEY_ID": "local",
                                                     "AWS_SECRET_ACCESS_KEY": "local", "AWS_REGION": "us-east-1"})
        server, base = serve(str(target / "local-server"),
                             ["--dynamodb-endpoint", endpoint, "--vendor-table", table], env)
        try:
            p, f, on_dynamodb = run_all("DynamoDB Local", base)
            passed, failed = passed + p, failed + f
        finally:
            server.terminate()
            server.wait(timeout=10)
        same = on_dynamodb == in_memory
        print(f"{'ok  ' if same else 'FAIL'} the files and DynamoDB Local give the same answers")
        passed, failed = passed + same, failed + (not same)
        p, f, from_binaries = run_binaries(target, env, endpoint, table)
        passed, failed = passed + p, failed + f
        same = from_binaries == on_dynamodb
        print(f"{'ok  ' if same else 'FAIL'} the Lambda binaries answer as the local server on DynamoDB Local")
        passed, failed = passed + same, failed + (not same)
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
