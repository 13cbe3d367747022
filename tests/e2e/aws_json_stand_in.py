"""Loopback stand-ins of AWS services with no local engine, in their JSON protocol (awsJson1_1:
X-Amz-Target <prefix><Operation>, Content-Type application/x-amz-json-1.1, SigV4-signed), for
tests of the release binaries: EventBridge's PutEvents and Secrets Manager's GetSecretValue.
"""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class AwsJsonStandIn:
    """Answers every call that is the protocol's with `answer(operation, input)` -> (status,
    output); keeps the others in `malformed` (answered 400)."""

    def __init__(self, target_prefix, answer):
        self.malformed = []
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                target, content_type = self.headers.get("X-Amz-Target") or "", self.headers.get("Content-Type")
                signed = (self.headers.get("Authorization") or "").startswith("AWS4-HMAC-SHA256 ")
                if not target.startswith(target_prefix) or content_type != "application/x-amz-json-1.1" or not signed:
                    stand_in.malformed.append((target, content_type, signed))
                    status, output = 400, {"__type": "UnknownOperationException"}
                else:
                    status, output = answer(target[len(target_prefix):], json.loads(body or b"{}"))
                data = json.dumps(output).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/x-amz-json-1.1")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


class EventBridgeStandIn(AwsJsonStandIn):
    """PutEvents: each entry is answered with an EventId, or with an ErrorCode while its
    event_id or its detail-type is in `failing` (a count of sends left to fail)."""

    def __init__(self):
        self.taken, self.requests, self.failing = [], [], {}
        super().__init__("AWSEvents.", self.put_events)

    def put_events(self, operation, call):
        assert operation == "PutEvents", operation
        entries = call["Entries"]
        self.requests.append(len(entries))
        answers, failed = [], 0
        for entry in entries:
            event_id = json.loads(entry["Detail"]).get("event_id")
            key = event_id if event_id in self.failing else entry["DetailType"]
            if self.failing.get(key, 0) > 0:
                self.failing[key] -= 1
                failed += 1
                answers.append({"ErrorCode": "InternalFailure", "ErrorMessage": "stand-in failure"})
            else:
                answers.append({"EventId": f"e2e-{len(self.taken)}"})
                self.taken.append(entry)
        return 200, {"FailedEntryCount": failed, "Entries": answers}


class SecretsManagerStandIn(AwsJsonStandIn):
    """GetSecretValue: `secrets` by ARN, 503 while `down`; counts the reads of each."""

    def __init__(self, secrets):
        self.secrets, self.down, self.reads = dict(secrets), False, {}
        super().__init__("secretsmanager.", self.get_secret_value)

    def get_secret_value(self, operation, call):
        assert operation == "GetSecretValue", operation
        arn = call.get("SecretId")
        self.reads[arn] = self.reads.get(arn, 0) + 1
        if self.down:
            return 503, {"__type": "ServiceUnavailableException", "Message": "stand-in down"}
        if arn not in self.secrets:
            return 400, {"__type": "ResourceNotFoundException",
                         "Message": "Secrets Manager can't find the specified secret."}
        return 200, {"ARN": arn, "Name": arn.rsplit(":", 1)[-1], "SecretString": self.secrets[arn],
                     "VersionId": f"v{self.reads[arn]}", "VersionStages": ["AWSCURRENT"],
                     "CreatedDate": 1795167677.0}
