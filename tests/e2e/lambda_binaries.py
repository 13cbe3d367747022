#!/usr/bin/env python3
"""Drives every function binary (every function of the registry, `local-server
--list-functions`, each a binary of its name) with its events/ sample, exactly as Lambda
would: each binary is started against a Lambda Runtime API served by this script (independent
of the project's Rust code), is handed its API Gateway event twice, and must answer 200 both
times, the second time without storing anything again (a stream worker is handed its DynamoDB
stream batch and must report no record for retry).

Each binary logs as deployed (AWS_LAMBDA_LOG_FORMAT=JSON), and its stdout and stderr are
checked: every line is a JSON object; each invocation has exactly one request line ("handled",
or the refusal) carrying the function, the Runtime API's request id, the status and the
latency; and no secret, signature header value or rossum_authorization_token of the sample
appears anywhere. The CloudWatch Embedded Metric Format lines among them validate against the
EMF schema (`tests/consistency/emf.py`, with jsonschema), each delivery counted once under its
function: `accepted`, then `duplicate` for the redelivery where the function is behind the
idempotency guard (`accepted` again where it is not); and every metric the
template's dashboard and alarms name is one some function emitted.

    python3 tests/e2e/lambda_binaries.py target/debug      # or target/release
    python3 tests/e2e/lambda_binaries.py target/release --arm64 .aws-sam/build

With `--arm64 BUILD_DIR`, the functions run are the ARM aarch64 `bootstrap` files `sam build`
left in BUILD_DIR/<LogicalId>/ (the shipped artifact), each started under `qemu-aarch64`
(Debian's qemu-user, with the aarch64 C library of libc6-arm64-cross); the local server and the
import command of the first argument's directory only prepare the tables.

DynamoDB Local must be running at $DYNAMODB_ENDPOINT (the test command starts it). The
vendor table is loaded with the sample vendor file by the project's own import command, and
the records table is created the way the local server creates it. The binaries reach DynamoDB
Local through a relay that counts their connections: one per process however many stores use
it, more only for reads made in parallel.
Prints 'N passed, N failed' and exits non-zero on any failure.
"""
import contextlib
import hashlib
import hmac
import json
import os
import queue
import socket
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "faults"))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "consistency"))
import registry  # noqa: E402  (the local server's function list)
from local_stack import DynamoDb, load_expectation  # noqa: E402  (DynamoDB JSON API calls; events/payloads/*.expect.json)
PREFIX = "/2018-06-01/runtime"


class RuntimeApi:
    """The part of the Lambda Runtime API a function uses: next, response, error."""

    def __init__(self):
        self.events = queue.Queue()
        self.answers = {}
        self.answered = threading.Condition()
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes: without TCP_NODELAY the second waits
            # for the client's delayed ACK (~40 ms) on a kept-alive connection.
            disable_nagle_algorithm = True

            def log_message(self, *args):
                pass

            def reply(self, status, body=b"", headers=()):
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                if self.path != PREFIX + "/invocation/next":
                    return self.reply(404)
                request_id, event = api.events.get()
                deadline = str(int((time.time() + 30) * 1000))
                self.reply(200, event, [
                    ("Content-Type", "application/json"),
                    ("Lambda-Runtime-Aws-Request-Id", request_id),
                    ("Lambda-Runtime-Deadline-Ms", deadline),
                    ("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:e2e"),
                ])

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                parts = self.path[len(PREFIX):].strip("/").split("/")
                if len(parts) == 3 and parts[0] == "invocation" and parts[2] in ("response", "error"):
                    with api.answered:
                        api.answers[parts[1]] = (parts[2], body)
                        api.answered.notify_all()
                    return self.reply(202)
                if parts[:2] == ["init", "error"]:
                    with api.answered:
                        api.answers["init"] = ("error", body)
                        api.answered.notify_all()
                    return self.reply(202)
                self.reply(404)

        class Server(ThreadingHTTPServer):
            def handle_error(self, request, client_address):
                pass  # a function killed between invocations drops its connection mid-poll

        self.server = Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.address = f"127.0.0.1:{self.server.server_address[1]}"

    def invoke(self, event, timeout=30):
        """Hands `event` to the function: (request id, kind of answer, answer body)."""
        request_id = str(uuid.uuid4())
        self.events.put((request_id, event))
        deadline = time.time() + timeout
        with self.answered:
            while request_id not in self.answers and "init" not in self.answers:
                remaining = deadline - time.time()
                if remaining <= 0:
                    return (request_id, "timeout", b"")
                self.answered.wait(remaining)
            return (request_id, *(self.answers.pop(request_id, None) or self.answers["init"]))


class CountingRelay:
    """A TCP relay to DynamoDB Local that counts the connections a function opens."""

    def __init__(self, endpoint):
        target = endpoint.split("://", 1)[1].rstrip("/")
        host, port = target.rsplit(":", 1)
        self.target = (host, int(port))
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.address = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            upstream = socket.create_connection(self.target)
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self):
        self.listener.close()


def http_api_event(route, body, secret):
    """A delivery signed as Rossum signs it with `secret`, as API Gateway's HTTP API hands it to a
    function (payload 2.0)."""
    signature = hmac.new(secret, body, hashlib.sha256).hexdigest()
    return {
        "version": "2.0", "routeKey": "POST " + route, "rawPath": route, "rawQueryString": "",
        "headers": {"content-type": "application/json", "user-agent": "Rossum/webhook",
                    "x-rossum-signature-sha256": "sha256=" + signature},
        "requestContext": {"http": {"method": "POST", "path": route, "protocol": "HTTP/1.1",
                                    "sourceIp": "203.0.113.10", "userAgent": "Rossum/webhook"},
                           "requestId": "e2e", "routeKey": "POST " + route, "stage": "$default"},
        "body": body.decode("utf-8"), "isBase64Encoded": False,
    }


@contextlib.contextmanager
def started(target, functions, **variables):
    """Each of `functions`' binaries in `target`, started against a Runtime API of its own with
    `variables` (its output discarded); yields `deliver(function, route, body, secret)`, which
    hands it a signed HTTP API event and returns (status, answer) from its proxy response."""
    processes, apis = {}, {}
    try:
        for function in functions:
            api = RuntimeApi()
            apis[function] = api
            processes[function] = subprocess.Popen(
                [str(target / function)], env=lambda_env(api, function, **variables),
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        def deliver(function, route, body, secret):
            event = http_api_event(route, body, secret)
            _, kind, raw = apis[function].invoke(json.dumps(event).encode())
            proxy = json.loads(raw) if kind == "response" else {}
            return proxy.get("statusCode"), json.loads(proxy.get("body") or "{}")

        yield deliver
    finally:
        for process in processes.values():
            process.kill()
            process.wait(timeout=10)
        for api in apis.values():
            api.server.shutdown()


def connections_allowed(function):
    """How many DynamoDB connections the function's process may open: one, or as many as it
    makes reads in parallel (its expectation's "dynamodb_connections"; a worker has none)."""
    return load_expectation(ROOT / function["expect"])["dynamodb_connections"] if function["expect"] else 1


def lambda_env(api, function, **variables):
    """What Lambda gives a function's process (its Runtime API, name, region, JSON logs),
    plus the function's own `variables`."""
    return {
        "PATH": os.environ.get("PATH", ""),
        "AWS_LAMBDA_RUNTIME_API": api.address,
        "AWS_LAMBDA_FUNCTION_NAME": function,
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
        "AWS_REGION": "us-east-1",
        "AWS_LAMBDA_LOG_FORMAT": "JSON",
        **variables,
    }


def prepare_tables(bin_dir, endpoint):
    suffix = uuid.uuid4().hex[:8]
    vendors, records = f"e2e-vendors-{suffix}", f"e2e-records-{suffix}"
    subprocess.run([str(bin_dir / "vendor-import"), str(ROOT / "events/master-data/vendors.csv"),
                    "--dynamodb-endpoint", endpoint, "--table", vendors, "--create-table"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # The local server creates its records table at start-up; stop it once it listens.
    server = subprocess.Popen([str(bin_dir / "local-server"), "--port", "0", "--dynamodb-endpoint", endpoint,
                               "--vendor-table", vendors, "--records-table", records],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for line in server.stdout:
        if line.startswith("listening on "):
            break
    server.terminate()
    server.wait(timeout=10)
    return vendors, records


def development_secrets():
    """The variables of events/development.env: every function's development secret (each
    Inkit webhook has its own key)."""
    lines = (ROOT / "events" / "development.env").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line.strip() and not line.lstrip().startswith("#"))


SECRETS = development_secrets()
# (namespace, metric, dimension names) of every EMF metric the binaries printed.
EMITTED = set()
SIGNATURE_HEADERS = ("x-rossum-signature-sha256", "x-elis-signature", "inkit-signature", "authorization")


def never_logged(event):
    """What the function must not log: secrets, signature header values (and their digests
    alone), and the body's rossum_authorization_token and hook secrets."""
    values = set(SECRETS.values())
    for name, value in json.loads(event).get("headers", {}).items():
        if name.lower() in SIGNATURE_HEADERS:
            values.add(value)
            values.add(value.split("=", 1)[-1].split(" ", 1)[-1])
    try:
        body = json.loads(json.loads(event).get("body") or "null")
    except ValueError:
        body = None
    if isinstance(body, dict):
        if body.get("rossum_authorization_token"):
            values.add(body["rossum_authorization_token"])
        if isinstance(body.get("secrets"), dict):
            values.update(v for v in body["secrets"].values() if isinstance(v, str) and v)
    return values


def log_problems(function, logs, invocations, event, guarded=False):
    """What is wrong with a function's log output (one problem per line, an empty list when
    nothing is)."""
    import emf  # noqa: E402  (tests/consistency: needs jsonschema, which .venv has)
    problems = []
    request_lines = []
    deliveries = []
    for line in logs.splitlines():
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            problems.append(f"a log line is not JSON: {line[:200]!r}")
            continue
        if not isinstance(entry, dict):
            problems.append(f"a log line is not a JSON object: {line[:200]!r}")
            continue
        if "_aws" in entry:
            problems += [f"an EMF line is invalid ({p}): {line[:200]!r}" for p in emf.problems(entry)]
            EMITTED.update(emf.emitted(entry))
            if "Deliveries" in entry:
                deliveries.append(entry)
            continue
        fields = entry.get("fields", {})
        if ("status" in fields and "route" in fields) or fields.get("message") == "batch handled":
            request_lines.append(fields)
    for request_id, status in invocations:
        lines = [f for f in request_lines if f.get("request_id") == request_id]
        if len(lines) != 1:
            problems.append(f"{len(lines)} request lines for request id {request_id}, not 1")
            continue
        fields = lines[0]
        if status is None:
            # A stream worker's line: the batch, its latency, what is left pending.
            if fields.get("function") != function or not isinstance(fields.get("latency_ms"), (int, float)):
                problems.append(f"batch line without its function or latency: {fields}")
            continue
        if fields.get("message") != "handled" and not fields.get("reason"):
            problems.append(f"request line is neither 'handled' nor a refusal with a reason: {fields}")
        if fields.get("function") != function:
            problems.append(f"request line names function {fields.get('function')!r}")
        if fields.get("status") != status:
            problems.append(f"request line says status {fields.get('status')!r}, the answer was {status}")
        if not isinstance(fields.get("latency_ms"), (int, float)):
            problems.append(f"request line has no numeric latency_ms: {fields}")
    http = [status for _, status in invocations if status is not None]
    outcomes = [d.get("outcome") for d in deliveries if d.get("function") == function]
    if len(deliveries) != len(http) or len(outcomes) != len(http):
        problems.append(f"{len(deliveries)} Deliveries metric lines for {len(http)} deliveries: {deliveries}")
    elif http and outcomes != ["accepted"] + ["duplicate" if guarded else "accepted"] * (len(http) - 1):
        # Behind the idempotency guard a redelivery is replayed: a duplicate.
        problems.append(f"Deliveries outcomes {outcomes} (guarded: {guarded})")
    unmatched = [f for f in request_lines if f.get("request_id") not in {r for r, _ in invocations}]
    if unmatched:
        problems.append(f"request lines without the Runtime API's request id: {unmatched}")
    for value in never_logged(event):
        if value in logs:
            problems.append(f"a secret, signature or token of the sample reached the log ({len(value)} characters)")
    return problems


def stored_nothing_again(first, second, items_before, items_after):
    """The second delivery of the same event gets the first answer again (replayed by the
    idempotency layer, or recomputed by a read-only hook) and adds no item to the records table."""
    return first == second and items_before == items_after


QEMU = "qemu-aarch64"
AARCH64_SYSROOT = "/usr/aarch64-linux-gnu"


def function_command(bin_dir, arm64_build, function):
    """How `function` is started: its binary, or its arm64 bootstrap under qemu."""
    if arm64_build is None:
        return [str(bin_dir / function)]
    from check_wiring import template_functions  # noqa: E402  (the template's LogicalIds)
    resource = template_functions()[function]["resource"]
    return [QEMU, "-L", AARCH64_SYSROOT, str(arm64_build / resource / "bootstrap")]


def main(argv):
    arm64_build = None
    if "--arm64" in argv:
        at = argv.index("--arm64")
        arm64_build = Path(argv[at + 1]).resolve()
        argv = argv[:at] + argv[at + 2:]
    bin_dir = Path(argv[1] if len(argv) > 1 else ROOT / "target/debug").resolve()
    endpoint = os.environ.get("DYNAMODB_ENDPOINT")
    if not endpoint:
        print("DYNAMODB_ENDPOINT is not set: run ./scripts/test, or export DYNAMODB_ENDPOINT=$(scripts/dynamodb-local start)")
        return 1
    vendors, records = prepare_tables(bin_dir, endpoint)
    records_db = DynamoDb(endpoint)
    # The registry of the local server built with the binaries: one binary per function.
    functions = registry.functions(bin_dir / "local-server")
    # Where the event publisher puts its sample's events.
    from aws_json_stand_in import EventBridgeStandIn  # noqa: E402
    eventbridge = EventBridgeStandIn()
    passed = failed = 0
    for entry in functions:
        function = entry["name"]
        command = function_command(bin_dir, arm64_build, function)
        if not Path(command[-1]).is_file():
            failed += 1
            print(f"FAIL {function}: no {command[-1]}")
            continue
        event = (ROOT / entry["event"]).read_bytes()
        api = RuntimeApi()
        relay = CountingRelay(endpoint)
        env = lambda_env(api, function, **SECRETS, DYNAMODB_ENDPOINT=relay.address,
                         VENDOR_TABLE=vendors, RECORDS_TABLE=records,
                         EVENTBRIDGE_ENDPOINT=eventbridge.url, EVENT_BUS_NAME="e2e-events")
        started = time.monotonic()
        process = subprocess.Popen(command, env=env,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            answers = [api.invoke(event)]
            items_after_first = len(records_db.scan(records))
            answers.append(api.invoke(event))
            items_after_second = len(records_db.scan(records))
        finally:
            process.kill()
            stdout, stderr = process.communicate()
            logs = stdout.decode(errors="replace") + stderr.decode(errors="replace")
        elapsed_ms = (time.monotonic() - started) * 1000
        problems = []
        parsed = []
        invocations = []
        stream_worker = "Records" in json.loads(event)
        for request_id, kind, body in answers:
            if kind != "response":
                problems.append(f"{kind}: {body[:300]!r}")
                continue
            if stream_worker:
                # A DynamoDB stream batch: answered with the records to retry, none here.
                batch = json.loads(body)
                parsed.append(batch)
                invocations.append((request_id, None))
                if batch != {"batchItemFailures": []}:
                    problems.append(f"batch answer {batch}")
                continue
            proxy = json.loads(body)
            parsed.append(json.loads(proxy.get("body") or "null"))
            invocations.append((request_id, proxy.get("statusCode")))
            if proxy.get("statusCode") != 200:
                problems.append(f"status {proxy.get('statusCode')}: {proxy.get('body', '')[:300]}")
        if not problems and not stored_nothing_again(*parsed, items_after_first, items_after_second):
            problems.append(f"the second delivery was not answered alike or stored something: {parsed} "
                            f"({items_after_first} -> {items_after_second} items)")
        problems += log_problems(function, logs, invocations, event, entry.get("guarded", False))
        # Every store of the process shares one client, so kept-alive connections serve both
        # deliveries (in AWS each further connection would be a TLS handshake).
        relay.close()
        allowed = connections_allowed(entry)
        if relay.connections > allowed:
            problems.append(f"{relay.connections} connections to DynamoDB, more than {allowed}")
        ok = not problems
        passed, failed = passed + ok, failed + (not ok)
        print(f"{'ok  ' if ok else 'FAIL'} {function}{' (arm64, qemu)' if arm64_build else ''} "
              f"({elapsed_ms:.0f} ms for start and two invocations)"
              + ("" if ok else ": " + "; ".join(problems) + "\n" + logs[-2000:]))
        api.server.shutdown()
    eventbridge.server.shutdown()
    ok, problem = template_names_only_emitted_metrics()
    passed, failed = passed + ok, failed + (not ok)
    print(f"{'ok  ' if ok else 'FAIL'} the template's dashboard and alarms name only emitted metrics" + problem)
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


def template_names_only_emitted_metrics():
    import emf  # noqa: E402
    from check_wiring import load_template  # noqa: E402  (cfn-lint's decoder)
    named = emf.template_metrics(load_template())
    emitted = {(metric, tuple(sorted(dimensions))) for _, metric, dimensions in EMITTED}
    missing = sorted(named - emitted)
    if not named:
        return False, ": the template names no metric of MetricsNamespace"
    if missing:
        return False, f": named but never emitted {missing} (emitted {sorted(emitted)})"
    return True, f" ({len(named)} metrics: {sorted(named)})"


if __name__ == "__main__":
    sys.exit(main(sys.argv))
