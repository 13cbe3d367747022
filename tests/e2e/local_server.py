#!/usr/bin/env python3
"""End-to-end check of the local server from the outside, signing with Python's own hmac.

    python3 tests/e2e/local_server.py [path/to/local-server]

Starts the server on a free loopback port with the development secrets, sends the sample
Rossum delivery signed both ways and every documented kind of bad request, and checks each
status and answer. Prints 'N passed, N failed' and exits non-zero on any failure.
"""
import hashlib
import hmac
import json
import os
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SECRET = b"rossum-development-secret"
ROUTE = "/rossum/annotation-content/updated"
SAMPLE = (ROOT / "events/payloads/rossum-annotation-updated.json").read_bytes()
INITIALIZE = (ROOT / "events/payloads/rossum-annotation-initialize.json").read_bytes()
EMAIL = (ROOT / "events/payloads/rossum-email-received.json").read_bytes()
UPLOAD = (ROOT / "events/payloads/rossum-upload-created.json").read_bytes()
EXPORT = (ROOT / "events/payloads/rossum-annotation-export.json").read_bytes()
STATUS = (ROOT / "events/payloads/rossum-annotation-status.json").read_bytes()
EXPECTED_OPERATIONS = [
    {"op": "replace", "id": 6601015, "value": {"content": {"value": "0.0"}}},
    {"op": "replace", "id": 6601035, "value": {"content": {"value": "0.0"}}},
]


def sha256_header(body, secret=SECRET):
    return {"X-Rossum-Signature-SHA256": "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()}


def sha1_header(body, secret=SECRET):
    return {"X-Elis-Signature": "sha1=" + hmac.new(secret, body, hashlib.sha1).hexdigest()}


def post(base, body, headers, route=ROUTE):
    request = urllib.request.Request(base + route, data=body, method="POST",
                                     headers={"Content-Type": "application/json", **headers})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def with_payload(**changes):
    payload = json.loads(SAMPLE)
    payload.update(changes)
    return json.dumps(payload).encode()


def cases():
    tampered = SAMPLE.replace(b"ZERO RATED", b"ZERO RATEX", 1)
    garbage = b'{"event": "annotation_content", "action": '
    wrong_action = with_payload(action="export")
    yield "sha256 signature gets the operations", SAMPLE, sha256_header(SAMPLE), 200, None
    yield "legacy sha1 signature gets the operations", SAMPLE, sha1_header(SAMPLE), 200, None
    yield "tampered body", tampered, sha256_header(SAMPLE), 401, "signature_mismatch"
    yield "wrong secret", SAMPLE, sha256_header(SAMPLE, b"not-the-secret"), 401, "signature_mismatch"
    yield "missing header", SAMPLE, {}, 401, "missing_signature"
    yield "empty sha256 digest", SAMPLE, {"X-Rossum-Signature-SHA256": "sha256="}, 401, "malformed_signature"
    yield "garbage JSON, valid signature", garbage, sha256_header(garbage), 400, "malformed_body"
    yield "wrong action", wrong_action, sha256_header(wrong_action), 422, "wrong_event"


CONTRACTFIT_AUTH = {"Authorization": "Bearer contractfit-development-token"}


def vendor_of(answer):
    return [op["value"]["content"]["value"] for op in answer.get("operations", []) if op["id"] == 6600015]


# The first answer of each route, which a repeated delivery must get back unchanged.
FIRST_ANSWERS = {}


def replayed(route):
    return lambda a: route in FIRST_ANSWERS and a == FIRST_ANSWERS[route]


def upload_triaged(answer):
    """The sample upload's invoice is imported; its invite, logo and contact card are not."""
    documents = {d["url"]: d["original_file_name"] for d in json.loads(UPLOAD)["documents"]}
    prevented = {documents.get(f.get("document")): f.get("prevent_importing") for f in answer.get("files", [])}
    return prevented == {"INV-2026-10873.pdf": False, "invite.ics": True, "image001.png": True,
                         "Jana Novakova.vcf": True}


def other_routes():
    yield ("initialize matches the vendor from the built-in master data",
           "/rossum/annotation-content/initialize", INITIALIZE,
           lambda a: vendor_of(a) == ["V-10027"] and not a.get("automation_blockers"))
    yield ("export passes the gate", "/rossum/annotation-content/export", EXPORT,
           lambda a: a == {"messages": [], "operations": []})
    yield ("status change is recorded", "/rossum/annotation-status", STATUS,
           lambda a: a == {"recorded": True, "latest": True})
    yield ("the same status change again gets the first answer replayed", "/rossum/annotation-status",
           STATUS, replayed("/rossum/annotation-status"))
    for event in ("create-finished", "create-failed", "deleted"):
        body = (ROOT / f"events/payloads/inkit-document-{event}.json").read_bytes()
        route = f"/inkit/document-{event}"
        yield (f"Inkit {event} is recorded", route, body, lambda a: a.get("recorded") is True)
        yield (f"Inkit {event} again gets the first answer replayed", route, body, replayed(route))
    for event in ("text", "split", "predict", "evaluate", "delete"):
        body = (ROOT / f"events/payloads/contractfit-document-{event}.json").read_bytes()
        route = f"/contractfit/document-{event}"
        yield (f"contract.fit document_{event} is stored", route, body, lambda a: a.get("stored") is True)
        yield (f"contract.fit document_{event} again gets the first answer replayed", route, body,
               replayed(route))
    yield ("email triage keeps the documents and finds the forwarded sender", "/rossum/email", EMAIL,
           lambda a: len(a.get("files", [])) >= 1 and "@" in a.get("extracted_original_sender", {}).get("email", ""))
    yield ("upload triage imports the invoice and prevents the invite, logo and contact card",
           "/rossum/upload", UPLOAD, upload_triaged)
    yield ("the same upload again gets the first answer replayed", "/rossum/upload", UPLOAD,
           replayed("/rossum/upload"))


def main(argv):
    binary = argv[1] if len(argv) > 1 else str(ROOT / "target/debug/local-server")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ROSSUM_", "INKIT_", "CONTRACTFIT_", "PORT", "DYNAMODB_", "VENDOR_", "RECORDS_", "AWS_"))}
    server = subprocess.Popen([binary, "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              env=env, text=True)
    passed = failed = 0
    try:
        base = None
        for line in server.stdout:
            if line.startswith("listening on "):
                base = line.split()[-1]
                break
        if base is None:
            print("local-server did not start")
            return 1
        # Keep reading the server's log so a full pipe never blocks it.
        threading.Thread(target=lambda: [None for _ in server.stdout], daemon=True).start()
        for name, body, headers, status, error in cases():
            got_status, answer = post(base, body, headers)
            ok = got_status == status
            if error is None:
                ok = ok and answer == {"messages": [], "operations": EXPECTED_OPERATIONS}
            else:
                ok = ok and answer.get("error") == error and answer["messages"][0]["type"] == "error"
            print(f"{'ok  ' if ok else 'FAIL'} {name}: {got_status} {json.dumps(answer)[:160]}")
            passed, failed = passed + ok, failed + (not ok)
        for name, route, body, check in other_routes():
            if route.startswith("/contractfit/"):
                headers = CONTRACTFIT_AUTH
            elif route.startswith("/inkit/"):
                # Each Inkit webhook has its own development key: inkit-<event>-development-secret.
                key = f"inkit-{route.removeprefix('/inkit/')}-development-secret".encode()
                headers = {"Inkit-Signature": hmac.new(key, body, hashlib.sha256).hexdigest()}
            else:
                headers = sha256_header(body)
            got_status, answer = post(base, body, headers, route)
            ok = got_status == 200 and check(answer)
            FIRST_ANSWERS.setdefault(route, answer)
            print(f"{'ok  ' if ok else 'FAIL'} {name}: {got_status} {json.dumps(answer)[:160]}")
            passed, failed = passed + ok, failed + (not ok)
        # Inkit gives every webhook its own key: another webhook's key is refused.
        body = json.dumps({"event_type": "DOCUMENT_DELETED", "resource_id": "doc_other_webhook_key"}).encode()
        foreign = hmac.new(b"inkit-document-create-finished-development-secret", body, hashlib.sha256).hexdigest()
        got_status, answer = post(base, body, {"Inkit-Signature": foreign}, "/inkit/document-deleted")
        ok = got_status == 401 and answer.get("error") == "signature_mismatch"
        print(f"{'ok  ' if ok else 'FAIL'} a DOCUMENT_DELETED signed with the create-finished webhook's key is refused: "
              f"{got_status} {json.dumps(answer)[:160]}")
        passed, failed = passed + ok, failed + (not ok)
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
