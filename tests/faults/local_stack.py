"""What the fault and load tests share: DynamoDB Local, the local server, signed deliveries with
fresh ids, and the check that a delivery's records are in the records table exactly once.

Standard library only. DynamoDB is spoken to as what it is, JSON over HTTP: DynamoDB Local
checks no signature, but it keeps one database per access key and region, so requests name the
same test credentials as the project's client (`dynamodb_store::connect`).
"""
import base64
import copy
import hashlib
import hmac
import http.client
import json
import math
import os
import random
import socket
import string
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import defaultdict, deque
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAYLOADS = ROOT / "events" / "payloads"
DYNAMODB_LOCAL = ROOT / "scripts" / "dynamodb-local"

# The development secrets the local server uses when none are set (README "Sample events").
ROSSUM_SECRET = b"rossum-development-secret"


def inkit_secret(function):
    """The local server's development key of one Inkit webhook: each has its own."""
    return f"{function}-development-secret".encode()

CONTRACTFIT_TOKEN = "contractfit-development-token"

# The access key of aws_credential_types::Credentials::for_tests(), which the project's client
# uses against an endpoint; DynamoDB Local names its database file after it and the region.
DYNAMODB_CREDENTIAL = "ANOTREAL/20260101/us-east-1/dynamodb/aws4_request"

sys.path.insert(0, str(ROOT / "tests"))
import registry  # noqa: E402  (the local server's function list)

# Every function served at a route: the registry's, not a list of our own.
ROUTES = registry.routes()

SAMPLES = {function: json.loads((PAYLOADS / f"{function}.json").read_bytes()) for function in ROUTES}

# Only the attributes the checks read: chunk items carry 300 KB each.
SCANNED_ATTRIBUTES = [
    "pk", "sk", "kind", "chunk_count", "text_sha256", "text_bytes", "received_at", "changed_at",
    "request_id", "status", "annotation_id", "exported_at", "pickup", "email_id", "email_url",
    "files_total", "resource_id", "event_type", "last_event", "deleted", "create_failed_at",
    "completed_at", "deleted_at", "event", "section_count", "document_sha256",
]


# ---------------------------------------------------------------------------------------------
# processes


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_dynamodb_local(port=None, db_path=None):
    """Starts DynamoDB Local through scripts/dynamodb-local and returns its endpoint."""
    command = [str(DYNAMODB_LOCAL), "start"]
    if port is not None:
        command += ["--port", str(port)]
    if db_path is not None:
        command += ["--db-path", str(db_path)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        raise RuntimeError(f"scripts/dynamodb-local start failed: {result.stderr.strip()}")
    return result.stdout.strip()


def stop_dynamodb_local(endpoint):
    subprocess.run([str(DYNAMODB_LOCAL), "stop", endpoint], capture_output=True, text=True, timeout=60)


def default_binary(name):
    """The release build when there is one (what the numbers are measured with), else debug."""
    for profile in ("release", "debug"):
        path = ROOT / "target" / profile / name
        if path.exists():
            return path
    raise RuntimeError(f"no target/release/{name} nor target/debug/{name}: build it first")


def clean_environment():
    """The environment without the project's variables, so the server uses its development
    secrets, no Inkit API token and only the options it is given."""
    prefixes = ("ROSSUM_", "INKIT_", "CONTRACTFIT_", "PORT", "DYNAMODB_", "VENDOR_", "RECORDS_", "AWS_")
    return {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}


class LocalServer:
    """tools/local-server on a free loopback port, its log kept for diagnostics."""

    def __init__(self, binary, dynamodb_endpoint, records_table, vendor_table="vendors", env=None):
        command = [str(binary), "--port", "0", "--dynamodb-endpoint", dynamodb_endpoint,
                   "--records-table", records_table, "--vendor-table", vendor_table]
        self.log = deque(maxlen=400)
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        env={**clean_environment(), **(env or {})}, text=True)
        self.base = None
        for line in self.process.stdout:
            self.log.append(line.rstrip())
            if line.startswith("listening on "):
                self.base = line.split()[-1]
                break
        if self.base is None:
            self.process.wait(timeout=10)
            raise RuntimeError("local-server did not start:\n" + "\n".join(self.log))
        # Keep reading, so a full pipe never blocks the server.
        threading.Thread(target=self._drain, daemon=True).start()
        address = self.base.removeprefix("http://")
        self.host, port = address.rsplit(":", 1)
        self.port = int(port)

    def _drain(self):
        for line in self.process.stdout:
            self.log.append(line.rstrip())

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


# ---------------------------------------------------------------------------------------------
# DynamoDB over HTTP


class DynamoDb:
    def __init__(self, endpoint):
        self.endpoint = endpoint

    def call(self, operation, body, timeout=30):
        request = urllib.request.Request(self.endpoint, data=json.dumps(body).encode(), method="POST", headers={
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": f"DynamoDB_20120810.{operation}",
            "X-Amz-Date": "20260101T000000Z",
            "Authorization": f"AWS4-HMAC-SHA256 Credential={DYNAMODB_CREDENTIAL}, "
                             "SignedHeaders=host;x-amz-date, Signature=0",
        })
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as error:
            raise RuntimeError(f"DynamoDB {operation}: {error.code} {error.read()[:300]!r}") from None

    def table_names(self):
        return self.call("ListTables", {}).get("TableNames", [])

    def delete_table(self, table):
        self.call("DeleteTable", {"TableName": table})

    def scan(self, table):
        """Every item of `table` (the checked attributes only), decoded to Python values."""
        names = {f"#a{i}": name for i, name in enumerate(SCANNED_ATTRIBUTES)}
        request = {"TableName": table, "ProjectionExpression": ", ".join(names),
                   "ExpressionAttributeNames": names}
        items = []
        while True:
            page = self.call("Scan", request, timeout=120)
            items.extend(decode_item(item) for item in page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                return items
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def decode(value):
    (kind, raw), = value.items()
    if kind in ("S", "N"):
        return raw
    if kind == "B":
        return base64.b64decode(raw)
    if kind in ("BOOL", "NULL"):
        return raw if kind == "BOOL" else None
    if kind == "M":
        return decode_item(raw)
    if kind == "L":
        return [decode(v) for v in raw]
    return raw


def decode_item(item):
    return {name: decode(value) for name, value in item.items()}


def by_partition(items):
    """Items grouped by `pk`, the idempotency layer's own items set apart."""
    partitions = defaultdict(list)
    idempotency = []
    for item in items:
        (idempotency if item["pk"].startswith("IDEMPOTENCY#") else partitions[item["pk"]]).append(item)
    return partitions, idempotency


# ---------------------------------------------------------------------------------------------
# deliveries


@dataclass
class Delivery:
    function: str
    body: bytes
    # What the delivery stores: the partition key and what it identifies there.
    pk: str
    key: dict = field(default_factory=dict)

    @property
    def route(self):
        return ROUTES[self.function]

    @property
    def headers(self):
        return signed_headers(self.function, self.body)

    @property
    def writes(self):
        """Whether it stores records (the upload triage keeps only its idempotency record)."""
        return self.function not in ("rossum-annotation-updated", "rossum-annotation-initialize",
                                     "rossum-upload-created")


def signed_headers(function, body):
    headers = {"Content-Type": "application/json"}
    if function.startswith("rossum-"):
        headers["X-Rossum-Signature-SHA256"] = "sha256=" + hmac.new(ROSSUM_SECRET, body, hashlib.sha256).hexdigest()
    elif function.startswith("inkit-"):
        headers["Inkit-Signature"] = hmac.new(inkit_secret(function), body, hashlib.sha256).hexdigest()
    else:
        headers["Authorization"] = "Bearer " + CONTRACTFIT_TOKEN
    return headers


def large_text(size, seed=7):
    """Text that compresses poorly (random letters and spaces), so gzip keeps it large."""
    rng = random.Random(seed)
    return "".join(rng.choices(string.ascii_letters + "  \n", k=size))


# Stands for a delivery's number in a payload template: no sample contains it.
NUMBER = "7350918264"


class Deliveries:
    """Signed deliveries of every function, told apart by a number: deliveries with different
    numbers have different ids (annotation, email, Inkit resource, contract.fit document), and
    the same function and number give the same bytes again (a redelivery)."""

    def __init__(self, run_id):
        self.run_id = run_id
        self._counter = 0
        self._lock = threading.Lock()
        # A run-specific base keeps the numeric Rossum ids of runs sharing a table apart.
        self._number_base = (int(hashlib.sha256(run_id.encode()).hexdigest()[:6], 16) + 1) * 1_000_000
        self._templates = {function: self._template(function) for function in ROUTES}
        sample_text = SAMPLES["contractfit-document-text"]["data"]["text"].encode()
        self._sample_text_key = {"text_sha256": hashlib.sha256(sample_text).hexdigest(),
                                 "text_bytes": str(len(sample_text))}

    def next_number(self):
        with self._lock:
            self._counter += 1
            return self._number_base + self._counter

    def _payload(self, function, number):
        payload = copy.deepcopy(SAMPLES[function])
        if function.startswith("rossum-"):
            payload["request_id"] = f"{self.run_id}-{number}"
            if "annotation" in payload:
                payload["annotation"]["id"] = int(number)
                payload["annotation"]["url"] = f"https://example.rossum.app/api/v1/annotations/{number}"
            if function == "rossum-email-received":
                payload["email"] = f"https://example.rossum.app/api/v1/emails/{number}"
        elif function.startswith("inkit-"):
            payload["resource_id"] = f"doc_{self.run_id}_{number}"
        else:
            payload["data"]["id"] = f"{self.run_id}d{number}"
        return payload

    def _template(self, function):
        if NUMBER.encode() in (PAYLOADS / f"{function}.json").read_bytes():
            raise AssertionError(f"{function}'s sample contains {NUMBER}")
        return dumps(self._payload(function, NUMBER))

    def delivery(self, function, number=None, text=None):
        """The delivery of `function` with `number` (a new one by default); `text`: the
        contract.fit text instead of the sample's."""
        number = self.next_number() if number is None else number
        if text is None:
            body = self._templates[function].replace(NUMBER.encode(), str(number).encode())
        else:
            payload = self._payload(function, number)
            payload["data"]["text"] = text
            body = dumps(payload)
        return Delivery(function, body, *self._record_of(function, number, text))

    def _record_of(self, function, number, text):
        """The partition key the delivery writes and what identifies its records there."""
        request_id = f"{self.run_id}-{number}"
        if function == "rossum-annotation-export":
            return f"EXPORT#{number}", {"annotation_id": str(number), "request_id": request_id}
        if function == "rossum-annotation-status":
            return f"ANNOTATION#{number}", {"request_id": request_id}
        if function == "rossum-email-received":
            return f"EMAIL#{number}", {"email_id": str(number)}
        if function.startswith("rossum-"):
            return "", {}
        if function.startswith("inkit-"):
            return f"INKIT#doc_{self.run_id}_{number}", {"event_type": SAMPLES[function]["event_type"]}
        key = {"event": SAMPLES[function]["event"]}
        if function == "contractfit-document-text":
            key.update(self._sample_text_key if text is None else {
                "text_sha256": hashlib.sha256(text.encode()).hexdigest(), "text_bytes": str(len(text.encode()))})
        return f"CONTRACTFIT#{self.run_id}d{number}", key


def upload_triaged(body):
    """Whether a body is the answer to the upload sample: its invoice imported, the invite,
    logo and contact card not."""
    documents = [f.get("document", "").rsplit("/", 1)[-1] for f in body.get("files", [])]
    prevented = [f.get("prevent_importing") for f in body.get("files", [])]
    return (documents == ["3312101", "3312102", "3312103", "3312104"]
            and prevented == [False, True, True, True])


def dumps(payload):
    return json.dumps(payload, ensure_ascii=False).encode()


# ---------------------------------------------------------------------------------------------
# sending


@dataclass
class Answer:
    status: int  # 0: no HTTP answer (connection error or timeout)
    body: dict
    retry_after: str | None
    seconds: float
    error: str = ""


class Client:
    """One keep-alive HTTP/1.1 connection to the local server."""

    def __init__(self, host, port, timeout=60):
        self.host, self.port, self.timeout = host, port, timeout
        self.connection = None

    def send(self, delivery):
        started = time.monotonic()
        while True:
            reused = self.connection is not None
            if not reused:
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            try:
                self.connection.request("POST", delivery.route, body=delivery.body, headers=delivery.headers)
                response = self.connection.getresponse()
                raw = response.read()
            except (OSError, http.client.HTTPException) as error:
                self.close()
                # A kept-alive connection the server had closed: sent again on a new one, as
                # HTTP clients do. On a new connection, a failure is the answer.
                if reused and isinstance(error, (http.client.RemoteDisconnected, BrokenPipeError,
                                                 ConnectionResetError)):
                    continue
                return Answer(0, {}, None, time.monotonic() - started, f"{type(error).__name__}: {error}")
            try:
                body = json.loads(raw) if raw else {}
            except ValueError:
                body = {"raw": raw[:200].decode(errors="replace")}
            return Answer(response.status, body, response.getheader("Retry-After"), time.monotonic() - started)

    def close(self):
        if self.connection is not None:
            self.connection.close()
            self.connection = None


# ---------------------------------------------------------------------------------------------
# what a delivery must have stored


def chunk_prefix(item):
    """The sort-key prefix of the parts of a chunked item (contractfit-store's layout)."""
    owner = f"TEXT#{item['text_sha256']}" if item["sk"] == "TEXT" else item["sk"]
    return f"CHUNK#{owner}#"


def partition_problems(pk, deliveries, partition):
    """Why the items of partition `pk` are not exactly what `deliveries` (all stored, in this
    order) leave there, if they are not: every expected item once, complete, nothing else."""
    items = {item["sk"]: item for item in partition}
    if len(items) != len(partition):
        return [f"{pk}: a sort key appears twice"]
    functions = {d.function for d in deliveries}
    if pk.startswith("CONTRACTFIT#"):
        if deliveries[-1].function == "contractfit-document-delete":
            return exactly(pk, items, {"DELETED": {"completed_at": None, "deleted_at": None}})
        return contractfit_problems(pk, [(d.function, d.key) for d in deliveries], items)
    if pk.startswith("INKIT#"):
        expected = {f"EVENT#{d.key['event_type']}": {"received_at": None} for d in deliveries}
        document = {"last_event": None}
        if "inkit-document-deleted" in functions:
            document["deleted"] = True
        if "inkit-document-create-failed" in functions:
            document["create_failed_at"] = None
        return exactly(pk, items, {**expected, "DOCUMENT": document})
    (delivery,) = deliveries
    key = delivery.key
    if delivery.function == "rossum-annotation-export":
        return exactly(pk, items, {"EXPORT": {
            "annotation_id": key["annotation_id"], "request_id": key["request_id"],
            "status": "ready", "pickup": "EXPORT#READY", "exported_at": None}})
    if delivery.function == "rossum-annotation-status":
        history = [sk for sk in items if sk.startswith("STATUS#")]
        if len(history) != 1:
            return [f"{pk}: {len(history)} status history items, expected 1"]
        changed_at = items[history[0]].get("changed_at")
        return exactly(pk, items, {
            history[0]: {"request_id": key["request_id"], "changed_at": changed_at},
            "LATEST": {"request_id": key["request_id"], "changed_at": changed_at}})
    if delivery.function == "rossum-email-received":
        return exactly(pk, items, {"EMAIL": {"email_id": key["email_id"], "files_total": None,
                                             "received_at": None}})
    return [f"{pk}: {delivery.function} stores nothing"]


def exactly(pk, items, expected):
    """Problems unless `items` are the `expected` sort keys, each with the given attribute
    values (None: present, any value)."""
    problems = []
    if set(items) != set(expected):
        problems.append(f"{pk}: items {sorted(items)[:8]}, expected {sorted(expected)}")
    for sk, attributes in expected.items():
        if sk not in items:
            continue
        for name, value in attributes.items():
            actual = items[sk].get(name)
            if (value is None and name not in items[sk]) or (value is not None and actual != value):
                problems.append(f"{pk} {sk}: {name} is {actual!r}, expected {value!r}")
    return problems


def ledger_problems(stored, partitions):
    """`stored`: delivery lists by partition key, of every delivery that must be stored.
    Problems: a partition not exactly as its deliveries leave it, and any partition of the
    table no delivery accounts for."""
    problems = []
    for pk, deliveries in stored.items():
        problems += partition_problems(pk, deliveries, partitions.get(pk, []))
    extra = sorted(set(partitions) - set(stored))
    if extra:
        problems.append(f"{len(extra)} partitions no delivery accounts for, e.g. {extra[:3]}")
    return problems


CONTENT_SORT_KEY = {
    "document_text": lambda sk: sk == "TEXT",
    "document_split": lambda sk: sk == "SECTIONS",
    "document_predict": lambda sk: sk.startswith("PREDICT#"),
    "document_evaluate": lambda sk: sk.startswith("EVALUATE#"),
}


def contractfit_problems(pk, stored, items):
    """`stored`: the (function, key) of every delivery stored for the document, each of a
    different event. Each must have its content item and its delivery key once, a chunked text
    all its parts, and nothing else may be there."""
    problems = []
    accounted = set()
    for function, key in stored:
        event = key["event"]
        contents = [sk for sk in items if CONTENT_SORT_KEY[event](sk)]
        deliveries = [sk for sk in items if sk.startswith(f"DELIVERY#{event}#")]
        if len(contents) != 1 or len(deliveries) != 1:
            problems.append(f"{pk}: {event}: {len(contents)} content items and {len(deliveries)} "
                            "delivery keys, expected one each")
            continue
        content = items[contents[0]]
        accounted.update((contents[0], deliveries[0]))
        if content.get("received_at") != items[deliveries[0]].get("received_at"):
            problems.append(f"{pk}: {event}: content and delivery key come from different writes")
        if event == "document_text":
            for name in ("text_sha256", "text_bytes"):
                if content.get(name) != key[name]:
                    problems.append(f"{pk}: TEXT {name} is {content.get(name)!r}, expected {key[name]!r}")
        if "chunk_count" in content:
            prefix = chunk_prefix(content)
            parts = sorted(sk for sk in items if sk.startswith(prefix))
            expected = [f"{prefix}{n:05}" for n in range(int(content["chunk_count"]))]
            if parts != expected:
                problems.append(f"{pk}: {contents[0]} has {len(parts)} of its {len(expected)} parts")
            accounted.update(parts)
    extra = sorted(set(items) - accounted)
    if extra:
        problems.append(f"{pk}: items no delivery accounts for: {extra[:5]}")
    return problems


def consistency_problems(partitions):
    """What no interruption may leave behind, whatever was answered: a chunked item missing
    parts, contract.fit content without its delivery key (or the reverse), a status history
    without its latest status, an Inkit event without its document, an incomplete record."""
    problems = []
    for pk, partition in partitions.items():
        items = {item["sk"]: item for item in partition}
        if pk.startswith("CONTRACTFIT#"):
            deleted = "DELETED" in items
            received = defaultdict(set)
            for sk, item in items.items():
                if sk.startswith("DELIVERY#") or any(match(sk) for match in CONTENT_SORT_KEY.values()):
                    received[item.get("received_at")].add("delivery" if sk.startswith("DELIVERY#") else "content")
                if "chunk_count" in item:
                    prefix = chunk_prefix(item)
                    parts = sorted(s for s in items if s.startswith(prefix))
                    if parts != [f"{prefix}{n:05}" for n in range(int(item["chunk_count"]))]:
                        problems.append(f"{pk}: {sk} has {len(parts)} of its {item['chunk_count']} parts")
            # A deletion in progress removes both halves in any order; otherwise they go together.
            if not deleted:
                for received_at, halves in received.items():
                    if halves != {"delivery", "content"}:
                        problems.append(f"{pk}: the write at {received_at} left only its {halves.pop()} item")
        elif pk.startswith("ANNOTATION#"):
            history = [item for sk, item in items.items() if sk.startswith("STATUS#")]
            latest = items.get("LATEST")
            if history and latest is None:
                problems.append(f"{pk}: status history without its latest status")
            elif latest is not None and latest.get("changed_at") != max(h.get("changed_at") for h in history or [{}]):
                problems.append(f"{pk}: the latest status is not the newest of its history")
        elif pk.startswith("INKIT#"):
            events = [sk for sk in items if sk.startswith("EVENT#")]
            if bool(events) != ("DOCUMENT" in items):
                problems.append(f"{pk}: {len(events)} events and {'a' if 'DOCUMENT' in items else 'no'} document")
        elif pk.startswith("EXPORT#"):
            item = items.get("EXPORT", {})
            missing = [a for a in ("annotation_id", "request_id", "status", "exported_at") if a not in item]
            if missing:
                problems.append(f"{pk}: export record without {missing}")
        elif pk.startswith("EMAIL#"):
            item = items.get("EMAIL", {})
            missing = [a for a in ("email_url", "received_at", "files_total") if a not in item]
            if missing:
                problems.append(f"{pk}: email record without {missing}")
    return problems


def orphan_parts(partitions):
    """Chunk items whose owning item does not exist (parts written before a failed write)."""
    orphans = []
    for pk, partition in partitions.items():
        prefixes = {chunk_prefix(item) for item in partition if "chunk_count" in item}
        orphans += [(pk, item["sk"]) for item in partition
                    if item["sk"].startswith("CHUNK#") and not any(item["sk"].startswith(p) for p in prefixes)]
    return orphans


def percentile(sorted_values, fraction):
    """Nearest-rank percentile of already sorted values."""
    if not sorted_values:
        return float("nan")
    return sorted_values[max(0, math.ceil(fraction * len(sorted_values)) - 1)]


def own_items(delivery, items):
    """The sort keys of `items` (a partition, by sort key) that `delivery` itself writes."""
    function, key = delivery.function, delivery.key
    if function == "rossum-annotation-export":
        names = ["EXPORT"]
    elif function == "rossum-annotation-status":
        names = [sk for sk in items if sk.startswith("STATUS#")] + ["LATEST"]
    elif function == "rossum-email-received":
        names = ["EMAIL"]
    elif function == "rossum-upload-created":
        names = []
    elif function.startswith("inkit-"):
        names = [f"EVENT#{key['event_type']}"]
    elif function == "contractfit-document-delete":
        names = ["DELETED"]
    else:
        event = key["event"]
        names = [sk for sk in items if CONTENT_SORT_KEY[event](sk) or sk.startswith(f"DELIVERY#{event}#")]
    return [sk for sk in names if sk in items]


# How many items a complete write of each kind leaves (parts aside).
COMPLETE_WRITE = {"rossum-annotation-status": 2, "rossum-upload-created": 0, "contractfit-document-text": 2,
                  "contractfit-document-split": 2, "contractfit-document-predict": 2,
                  "contractfit-document-evaluate": 2}


def write_complete(delivery, items):
    present = own_items(delivery, items)
    if delivery.function == "contractfit-document-delete":
        return present == ["DELETED"] and "completed_at" in items["DELETED"]
    return len(present) == COMPLETE_WRITE.get(delivery.function, 1)


def out_of_time(_signal, _frame):
    """SIGALRM handler: the test's time is up; raised in the main thread, so cleanup runs."""
    raise TimeoutError("the test ran out of time")
