#!/usr/bin/env python3
"""Inkit documents no redelivery: a DOCUMENT_CREATE_FINISHED delivery made while the Inkit API
is down for longer than the fetch deadline is answered 200, and the document's details are
recorded later, from that one delivery.

1. On AWS's parts: the release `inkit-document-create-finished` binary is handed the signed
   delivery through a Lambda Runtime API (the one of lambda_binaries.py) and answers 200 with
   the details pending. The insertion it made is read from the records table's stream in
   DynamoDB Local (DynamoDB Streams API: DescribeStream, GetShardIterator, GetRecords), passed
   through the template's FilterCriteria pattern, and handed as Lambda's DynamoDB event to the
   release `inkit-document-details` binary: while Inkit is down it reports the record in
   batchItemFailures (Lambda retries it); once Inkit is back it records the details and
   reports nothing.
2. The local server does the same in-process: one delivery while Inkit is down, 200, and the
   details recorded by its background retry once Inkit is back.

The Inkit API is a stand-in served by this script; DynamoDB Local must be running at
$DYNAMODB_ENDPOINT (the test command starts it).

    python3 tests/e2e/inkit_details.py target/release

Prints one line per check and exits non-zero on any failure.
"""
import hashlib
import hmac
import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
sys.path.insert(0, str(ROOT / "tests" / "faults"))
from lambda_binaries import RuntimeApi, lambda_env, prepare_tables  # noqa: E402
from local_stack import DYNAMODB_CREDENTIAL, DynamoDb  # noqa: E402

RESOURCE_ID = "doc_2N0X2g4f3b1JJU75fqzDZs"
SECRET = "inkit-document-create-finished-development-secret"
API_TOKEN = "inkit-api-token-under-test"
DEADLINE_MS = 1000


class InkitStandIn:
    """GET /v1/document/{id}: 503 while `down`, else a document shaped as Inkit documents it."""

    def __init__(self):
        self.down = True
        self.requests = 0
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                stand_in.requests += 1
                match = re.fullmatch(r"/v1/document/([A-Za-z0-9_]+)", self.path)
                if stand_in.down or not match or self.headers.get("X-Inkit-API-Token") != API_TOKEN:
                    status, body = 503, {"error": "Service Unavailable"}
                else:
                    status, body = 200, {
                        "id": match.group(1), "name": "Welcome letter - Jane Doe",
                        "description": None, "status": "completed",
                        "render_id": "rend_4kXq9r2ZbT0mP1aW8sYcDe", "folder_id": "fold_7Hs3LmQ0vNp2Rt5Uw9XyZa",
                        "created_at": "2026-11-20T09:52:41.512Z",
                        "created_by": {"first_name": "Jane", "last_name": "Doe", "name": None},
                        "expire_at": None, "expire_after_n_views": None, "expire_views_left": None,
                    }
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"


class Streams(DynamoDb):
    """The DynamoDB Streams API of DynamoDB Local (same endpoint, its own target prefix)."""

    def streams_call(self, operation, body):
        request = urllib.request.Request(self.endpoint, data=json.dumps(body).encode(), method="POST", headers={
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": f"DynamoDBStreams_20120810.{operation}",
            "X-Amz-Date": "20260101T000000Z",
            "Authorization": f"AWS4-HMAC-SHA256 Credential={DYNAMODB_CREDENTIAL}, "
                             "SignedHeaders=host;x-amz-date, Signature=0",
        })
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    def stream_records(self, table):
        """Every record of the table's stream, each as Lambda hands it to a function."""
        arn = self.call("DescribeTable", {"TableName": table})["Table"]["LatestStreamArn"]
        shards = self.streams_call("DescribeStream", {"StreamArn": arn})["StreamDescription"]["Shards"]
        records = []
        for shard in shards:
            iterator = self.streams_call("GetShardIterator", {
                "StreamArn": arn, "ShardId": shard["ShardId"], "ShardIteratorType": "TRIM_HORIZON",
            })["ShardIterator"]
            while iterator:
                page = self.streams_call("GetRecords", {"ShardIterator": iterator})
                for record in page.get("Records", []):
                    records.append({**record, "eventSourceARN": arn})
                if not page.get("Records"):
                    break
                iterator = page.get("NextShardIterator")
        return records

    def document(self, table):
        item = self.call("GetItem", {"TableName": table, "ConsistentRead": True, "Key": {
            "pk": {"S": f"INKIT#{RESOURCE_ID}"}, "sk": {"S": "DOCUMENT"}}}).get("Item", {})
        return {name: next(iter(value.values())) for name, value in item.items()}


def template_filter():
    """The FilterCriteria pattern of the worker's event source in template.yaml."""
    text = (ROOT / "template.yaml").read_text()
    block = text[text.index("  InkitDocumentDetailsFunction:"):]
    return json.loads(re.search(r"- Pattern: '(.*)'", block).group(1))


def matches(pattern, value):
    """Lambda's event filtering as the template uses it: lists of accepted values, nested keys."""
    if isinstance(pattern, list):
        return value in pattern
    return isinstance(value, dict) and all(k in value and matches(p, value[k]) for k, p in pattern.items())


def signed_delivery():
    body = (ROOT / "events" / "payloads" / "inkit-document-create-finished.json").read_bytes()
    return body, hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()


def api_gateway_event():
    body, signature = signed_delivery()
    return json.dumps({
        "version": "2.0", "routeKey": "POST /inkit/document-create-finished",
        "rawPath": "/inkit/document-create-finished", "rawQueryString": "",
        "headers": {"content-type": "application/json", "inkit-signature": signature,
                    "user-agent": "Inkit-Webhooks/1.0"},
        "requestContext": {"http": {"method": "POST", "path": "/inkit/document-create-finished",
                                    "protocol": "HTTP/1.1", "sourceIp": "203.0.113.10"},
                           "requestId": "e2e", "routeKey": "POST /inkit/document-create-finished",
                           "stage": "$default"},
        "body": body.decode(), "isBase64Encoded": False,
    }).encode()


def function_env(api, endpoint, records, stand_in, function):
    return lambda_env(api, function, **{
        "INKIT_DOCUMENT_CREATE_FINISHED_WEBHOOK_SECRET": SECRET,
        "INKIT_API_URL": stand_in.url,
        "INKIT_API_TOKEN": API_TOKEN,
        "INKIT_API_TIMEOUT_MS": "300",
        "INKIT_API_DEADLINE_MS": str(DEADLINE_MS),
        "DYNAMODB_ENDPOINT": endpoint,
        "RECORDS_TABLE": records,
    })


class Checks:
    def __init__(self):
        self.passed = self.failed = 0

    def __call__(self, ok, text):
        print(f"{'ok  ' if ok else 'FAIL'} {text}")
        self.passed, self.failed = self.passed + bool(ok), self.failed + (not ok)
        return ok


def through_the_stream(bin_dir, endpoint, check):
    _, records = prepare_tables(bin_dir, endpoint)
    db = Streams(endpoint)
    stand_in = InkitStandIn()
    webhook_api, worker_api = RuntimeApi(), RuntimeApi()
    webhook = subprocess.Popen([str(bin_dir / "inkit-document-create-finished")],
                               env=function_env(webhook_api, endpoint, records, stand_in, "inkit-document-create-finished"),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    worker = subprocess.Popen([str(bin_dir / "inkit-document-details")],
                              env=function_env(worker_api, endpoint, records, stand_in, "inkit-document-details"),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        started = time.monotonic()
        _, kind, answer = webhook_api.invoke(api_gateway_event())
        proxy = json.loads(answer) if kind == "response" else {}
        body = json.loads(proxy.get("body") or "{}")
        check(proxy.get("statusCode") == 200 and body.get("details") == "pending",
              f"webhook, Inkit down: one delivery answered {proxy.get('statusCode')} {body} "
              f"in {time.monotonic() - started:.1f} s")
        time.sleep(DEADLINE_MS / 1000)  # Inkit stays down past a whole fetch's deadline

        pattern = template_filter()
        stream = db.stream_records(records)
        passed = [r for r in stream if matches(pattern, r)]
        check(len(passed) == 1 and passed[0]["dynamodb"]["NewImage"]["resource_id"]["S"] == RESOURCE_ID,
              f"the stream holds {len(stream)} records; the template's filter passes {len(passed)}, "
              "the event item's insertion")
        event = json.dumps({"Records": passed}).encode()
        sequence = passed[0]["dynamodb"]["SequenceNumber"] if passed else None

        _, kind, answer = worker_api.invoke(event)
        response = json.loads(answer) if kind == "response" else {}
        check(response == {"batchItemFailures": [{"itemIdentifier": sequence}]},
              f"worker, Inkit still down: reports the record for Lambda to retry: {response}")
        check(db.document(records).get("details_fetched") is False, "the details are not recorded yet")

        stand_in.down = False
        _, kind, answer = worker_api.invoke(event)
        response = json.loads(answer) if kind == "response" else {}
        check(response == {"batchItemFailures": []}, f"worker, Inkit back: nothing left to retry: {response}")
        document = db.document(records)
        check(document.get("details_fetched") is True and document.get("name") == "Welcome letter - Jane Doe"
              and document.get("render_id") == "rend_4kXq9r2ZbT0mP1aW8sYcDe",
              f"the details are recorded from the one delivery: {sorted(document)}")
        requests = stand_in.requests
        _, kind, answer = worker_api.invoke(event)
        check(json.loads(answer) == {"batchItemFailures": []} and stand_in.requests == requests,
              "a retried record whose details are recorded asks Inkit nothing")
    finally:
        webhook.kill()
        worker.kill()
        logs = worker.communicate()[0].decode(errors="replace")
        webhook_api.server.shutdown()
        worker_api.server.shutdown()
        stand_in.server.shutdown()
    batch_lines = [json.loads(line).get("fields", {}) for line in logs.splitlines()
                   if line.startswith("{") and "batch handled" in line]
    check(len(batch_lines) == 3 and all(isinstance(f.get("latency_ms"), (int, float)) for f in batch_lines),
          f"the worker logs one JSON line per batch ({len(batch_lines)})")
    check(API_TOKEN not in logs, "the Inkit API token is never logged")


def in_the_local_server(bin_dir, endpoint, check):
    _, records = prepare_tables(bin_dir, endpoint)
    db = Streams(endpoint)
    stand_in = InkitStandIn()
    env = {**os.environ, "INKIT_API_URL": stand_in.url, "INKIT_API_TOKEN": API_TOKEN,
           "INKIT_API_TIMEOUT_MS": "300", "INKIT_API_DEADLINE_MS": str(DEADLINE_MS),
           "INKIT_DETAILS_RETRY_FIRST_PAUSE_MS": "200", "INKIT_DETAILS_RETRY_ATTEMPTS": "60"}
    server = subprocess.Popen([str(bin_dir / "local-server"), "--port", "0", "--dynamodb-endpoint", endpoint,
                               "--records-table", records],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        base = None
        for line in server.stdout:
            if line.startswith("listening on "):
                base = line.split()[2].strip()
                break
        threading.Thread(target=lambda: [None for _ in server.stdout], daemon=True).start()
        body, signature = signed_delivery()
        request = urllib.request.Request(base + "/inkit/document-create-finished", data=body, method="POST",
                                         headers={"Content-Type": "application/json", "Inkit-Signature": signature})
        with urllib.request.urlopen(request, timeout=30) as response:
            status, answer = response.status, json.loads(response.read())
        check(status == 200 and answer.get("details") == "pending",
              f"local server, Inkit down: one delivery answered {status} {answer}")
        time.sleep(2 * DEADLINE_MS / 1000)
        check(db.document(records).get("details_fetched") is False,
              "down for longer than the fetch deadline: no details yet")
        stand_in.down = False
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and db.document(records).get("details_fetched") is not True:
            time.sleep(0.1)
        document = db.document(records)
        check(document.get("details_fetched") is True and document.get("status") == "completed",
              "Inkit back: the background retry records the details, without a redelivery")
    finally:
        server.terminate()
        server.wait(timeout=10)
        stand_in.server.shutdown()


def main(argv):
    bin_dir = Path(argv[1] if len(argv) > 1 else ROOT / "target/debug").resolve()
    endpoint = os.environ.get("DYNAMODB_ENDPOINT")
    if not endpoint:
        print("DYNAMODB_ENDPOINT is not set: run ./scripts/test, or export DYNAMODB_ENDPOINT=$(scripts/dynamodb-local start)")
        return 1
    check = Checks()
    through_the_stream(bin_dir, endpoint, check)
    in_the_local_server(bin_dir, endpoint, check)
    print(f"{check.passed} passed, {check.failed} failed")
    return 0 if check.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
