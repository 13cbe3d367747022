"""A loopback stand-in of EventBridge's PutEvents, in its JSON protocol (awsJson1_1:
X-Amz-Target AWSEvents.PutEvents, Content-Type application/x-amz-json-1.1, SigV4-signed). No
EventBridge engine runs locally, so tests of the publisher binary speak its wire protocol to this.
"""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class EventBridgeStandIn:
    """PutEvents in EventBridge's JSON protocol: each entry is answered with an EventId, or
    with an ErrorCode while its event_id or its detail-type is in `failing` (a count of sends
    left to fail)."""

    def __init__(self):
        self.taken, self.requests, self.failing, self.malformed = [], [], {}, []
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                target, content_type = self.headers.get("X-Amz-Target"), self.headers.get("Content-Type")
                signed = (self.headers.get("Authorization") or "").startswith("AWS4-HMAC-SHA256 ")
                if target != "AWSEvents.PutEvents" or content_type != "application/x-amz-json-1.1" or not signed:
                    stand_in.malformed.append((target, content_type, signed))
                    return self.reply(400, {"__type": "UnknownOperationException"})
                entries = json.loads(body)["Entries"]
                stand_in.requests.append(len(entries))
                answers, failed = [], 0
                for entry in entries:
                    event_id = json.loads(entry["Detail"]).get("event_id")
                    key = event_id if event_id in stand_in.failing else entry["DetailType"]
                    if stand_in.failing.get(key, 0) > 0:
                        stand_in.failing[key] -= 1
                        failed += 1
                        answers.append({"ErrorCode": "InternalFailure", "ErrorMessage": "stand-in failure"})
                    else:
                        answers.append({"EventId": f"e2e-{len(stand_in.taken)}"})
                        stand_in.taken.append(entry)
                self.reply(200, {"FailedEntryCount": failed, "Entries": answers})

            def reply(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/x-amz-json-1.1")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
