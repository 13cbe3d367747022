"""What the fault and load tests share: DynamoDB Local, the local server, signed deliveries with
fresh ids, and the check that a delivery's records are in the records table exactly once.

The functions are the registry's (tests/registry.py), and what each one must answer and store
is data, not code: its events/payloads/<function>.expect.json (the registry's `expect` path),
described under "expectations" below. Only the signing differs by platform.

Standard library only. DynamoDB is spoken to as what it is, JSON over HTTP: DynamoDB Local
checks no signature, but it keeps one database per access key and region, so requests name the
same test credentials as the project's client (`dynamodb_support::connect`).
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
import re
import select
import socket
import string
import struct
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import defaultdict, deque
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DYNAMODB_LOCAL = ROOT / "scripts" / "dynamodb-local"

# The development secrets the local server uses when none are set (README "Sample events").
ROSSUM_SECRET = b"rossum-development-secret"
CONTRACTFIT_TOKEN = "contractfit-development-token"


def inkit_secret(function):
    """The local server's development key of one Inkit webhook: each has its own."""
    return f"{function}-development-secret".encode()


# The access key of aws_credential_types::Credentials::for_tests(), which the project's client
# uses against an endpoint; DynamoDB Local names its database file after it and the region.
DYNAMODB_CREDENTIAL = "ANOTREAL/20260101/us-east-1/dynamodb/aws4_request"

sys.path.insert(0, str(ROOT / "tests"))
import registry  # noqa: E402  (the local server's function list)


# ---------------------------------------------------------------------------------------------
# expectations: events/payloads/<function>.expect.json
#
# One JSON object per function served at a route. "about" (what the function does, in a
# sentence) and every "note" are for the reader only. The keys:
#
#   "answer": what a 200 body must be.
#       "first":      checks the answer to a first delivery passes, every one of them;
#       "redelivery": checks an answer to a copy sent again may pass instead (optional).
#     A check is {"path": P, and one of "equals": V, "in_any_order": [V, ...], "is": a JSON
#     type ("object", "array", "string", "number", "boolean", "null"), "present": true}.
#     P is dot-separated keys from the body ("" is the body itself); a "*" key stands for every
#     element of a list, and the check is then on the list of what the rest of P reaches in
#     each; "where": {key: V, ...} keeps only the elements with those values. Values compare as
#     JSON: true is not 1. A path that reaches nothing fails its check.
#   "needs_records_table": whether a delivery needs the records table (answers 503 without it).
#   "fresh": {payload path: template}: what makes a delivery new (its ids); a path whose sample
#       value is a number gets the rendered value as a number.
#   "large_field": the payload path of a text the fault test makes large (stored in parts).
#   "dynamodb_connections": the most DynamoDB connections one process may open for a delivery
#       (default 1): reads made in parallel need a connection each.
#   "sent_after": [function, ...]: in the fault test's set of deliveries, the deliveries sent
#       before this one on the same partition (what it builds on: the earlier steps of a
#       document, or what a deletion deletes).
#   "records": null when a delivery leaves nothing in the records table but its idempotency
#       record; else
#       "partition": the template of its partition key (pk);
#       "items": every item it leaves there, each exactly once:
#           "sk" or "sk_prefix": its sort key, or how the sort key begins (no template);
#           "kind": its `kind` attribute;
#           "attributes": {name: template, true or false; or null: present, any value}
#               (DynamoDB numbers read as their decimal strings);
#           "set_last": attribute names its delivery sets in a last step (an unfinished
#               delivery leaves the item without them);
#           "parts": when the item has a chunk_count, the template of the sort-key prefix of
#               its parts, numbered 00000 on: "{item.NAME}" is the item's own attribute;
#           "shared": true: one item of the partition that every delivery to it updates (the
#               attributes expected are those of all of them); it is there exactly when an
#               item of a delivery is;
#           "newest_of": {"sk_prefix": P, "by": NAME}: the item repeats the newest of the
#               items under P: it is there exactly when they are, its NAME their greatest;
#       "same": attribute names whose value the delivery's own items share (one write);
#       "all_or_nothing": true: nothing ever leaves some of one delivery's items without the
#           others (told apart by "same"), unless a partition-clearing delivery is under way;
#       "clears_partition": true: it removes what earlier deliveries stored in the partition,
#           which then holds its own items only.
#   Templates: "{run}" the test run's id, "{number}" the delivery's number, "{sha256:PATH}"
#   and "{bytes:PATH}" the SHA-256 (hex) and UTF-8 length of the payload's text at PATH.

JSON_TYPES = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
# Which placeholders each kind of template may use.
DELIVERY_VALUES = re.compile(r"run|number")
PAYLOAD_VALUES = re.compile(r"run|number|(sha256|bytes):[^:]+")
ITEM_VALUES = re.compile(r"item\.\w+")


class ExpectationError(ValueError):
    """An expectation file that does not follow the schema above."""


def _object(where, value, required=(), optional=()):
    """`value` as a dict holding every `required` key and no key but those and `optional`."""
    if not isinstance(value, dict):
        raise ExpectationError(f"{where}: not a JSON object")
    missing = set(required) - value.keys()
    unknown = value.keys() - set(required) - set(optional) - {"note"}
    if missing or unknown:
        raise ExpectationError(f"{where}: missing {sorted(missing)}, unknown {sorted(unknown)}")
    return value


def _template(where, template, allowed):
    """`template` unchanged, once every placeholder in it is one `allowed` matches."""
    if not isinstance(template, str):
        raise ExpectationError(f"{where}: not a string")
    for name in PLACEHOLDER.findall(template):
        if not allowed.fullmatch(name):
            raise ExpectationError(f"{where}: placeholder {{{name}}} is not allowed here")
    return template


def _mapping(where, value):
    if not isinstance(value, dict):
        raise ExpectationError(f"{where}: not a JSON object")
    return value


def _names(where, names):
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise ExpectationError(f"{where}: not a list of names")
    return names


def _check(where, check):
    operators = ("equals", "in_any_order", "is", "present")
    _object(where, check, ["path"], [*operators, "where"])
    if not isinstance(check["path"], str):
        raise ExpectationError(f"{where}: path is a string")
    given = [o for o in operators if o in check]
    if len(given) != 1:
        raise ExpectationError(f"{where}: needs exactly one of {', '.join(operators)}")
    operator = given[0]
    if operator == "in_any_order" and not isinstance(check[operator], list):
        raise ExpectationError(f"{where}: in_any_order takes a list")
    if operator == "is" and check["is"] not in (*JSON_TYPES, "number"):
        raise ExpectationError(f"{where}: is takes a JSON type, not {check['is']!r}")
    if operator == "present" and check["present"] is not True:
        raise ExpectationError(f"{where}: present takes true")
    if "where" in check and ("*" not in check["path"].split(".") or not isinstance(check["where"], dict)):
        raise ExpectationError(f"{where}: where takes an object and needs a * in the path")
    return {"path": check["path"], "operator": operator, "value": check[operator], "where": check.get("where")}


def _item(where, item):
    _object(where, item, [], ["sk", "sk_prefix", "kind", "attributes", "set_last", "parts", "shared", "newest_of"])
    if ("sk" in item) == ("sk_prefix" in item):
        raise ExpectationError(f"{where}: needs exactly one of sk, sk_prefix")
    key = item.get("sk", item.get("sk_prefix"))
    if not isinstance(key, str) or PLACEHOLDER.search(key):
        raise ExpectationError(f"{where}: a sort key is a plain string")
    attributes = _mapping(f"{where}.attributes", item.get("attributes", {}))
    for name, value in attributes.items():
        if value is not None and not isinstance(value, bool):
            _template(f"{where}.attributes.{name}", value, PAYLOAD_VALUES)
    set_last = _names(f"{where}.set_last", item.get("set_last", []))
    if not set(set_last) <= attributes.keys():
        raise ExpectationError(f"{where}: set_last names attributes it does not expect")
    newest_of = item.get("newest_of")
    if newest_of is not None:
        _object(f"{where}.newest_of", newest_of, ["sk_prefix", "by"])
    if (item.get("shared") or newest_of) and "sk" not in item:
        raise ExpectationError(f"{where}: a shared or newest_of item has an exact sk")
    parts = item.get("parts")
    return {
        "sk": item.get("sk"), "sk_prefix": item.get("sk_prefix"), "kind": item.get("kind"),
        "attributes": attributes, "set_last": set_last, "shared": item.get("shared") is True,
        "parts": None if parts is None else _template(f"{where}.parts", parts, ITEM_VALUES),
        "newest_of": newest_of,
    }


def _records(where, records):
    if records is None:
        return None
    _object(where, records, ["partition", "items"], ["same", "all_or_nothing", "clears_partition"])
    partition = _template(f"{where}.partition", records["partition"], PAYLOAD_VALUES)
    if not isinstance(records["items"], list) or not records["items"]:
        raise ExpectationError(f"{where}.items: a non-empty list (no items: records null)")
    items = [_item(f"{where}.items[{i}]", item) for i, item in enumerate(records["items"])]
    same = _names(f"{where}.same", records.get("same", []))
    for item in items:
        if not item["shared"] and not set(same) <= item["attributes"].keys():
            raise ExpectationError(f"{where}: every own item must expect the attributes of same")
    if records.get("all_or_nothing") and not same:
        raise ExpectationError(f"{where}: all_or_nothing tells writes apart by same")
    return {
        "partition": partition,
        # What every partition key of the function begins with, to know whose a partition is.
        "prefix": partition.split("{", 1)[0],
        "items": items, "same": same,
        "all_or_nothing": records.get("all_or_nothing") is True,
        "clears_partition": records.get("clears_partition") is True,
    }


def load_expectation(path):
    """The expectation file at `path`, checked against the schema, with every default filled in."""
    where = Path(path).relative_to(ROOT).as_posix()
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, ValueError) as error:
        raise ExpectationError(f"{where}: {error}") from None
    _object(where, data, ["answer", "needs_records_table", "fresh"],
            ["about", "records", "large_field", "dynamodb_connections", "sent_after"])
    answer = _object(f"{where}.answer", data["answer"], ["first"], ["redelivery"])
    checks = {kind: [_check(f"{where}.answer.{kind}[{i}]", c) for i, c in enumerate(answer.get(kind, []))]
              for kind in ("first", "redelivery")}
    if not checks["first"]:
        raise ExpectationError(f"{where}.answer.first: at least one check")
    fresh = _mapping(f"{where}.fresh", data["fresh"])
    for path_, template in fresh.items():
        _template(f"{where}.fresh.{path_}", template, DELIVERY_VALUES)
    records = _records(f"{where}.records", data.get("records"))
    if not isinstance(data["needs_records_table"], bool) or (records and not data["needs_records_table"]):
        raise ExpectationError(f"{where}: needs_records_table is true or false, and true with records")
    connections = data.get("dynamodb_connections", 1)
    if not isinstance(connections, int) or connections < 1:
        raise ExpectationError(f"{where}: dynamodb_connections is a positive integer")
    return {
        "answer": checks, "needs_records_table": data["needs_records_table"], "fresh": fresh,
        "large_field": data.get("large_field"), "dynamodb_connections": connections,
        "sent_after": _names(f"{where}.sent_after", data.get("sent_after", [])), "records": records,
    }


MISSING = object()


def reach(value, keys, where=None):
    """What the path `keys` reaches from `value` (a list of results past a "*"), or MISSING."""
    for i, key in enumerate(keys):
        if key == "*":
            if not isinstance(value, list):
                return MISSING
            kept = [e for e in value if where is None or (
                isinstance(e, dict) and all(k in e and same_json(e[k], v) for k, v in where.items()))]
            results = [reach(e, keys[i + 1:]) for e in kept]
            return MISSING if any(r is MISSING for r in results) else results
        if not isinstance(value, dict) or key not in value:
            return MISSING
        value = value[key]
    return value


def canonical(value):
    return json.dumps(value, sort_keys=True)


def same_json(a, b):
    """Equal as JSON values: unlike Python's ==, true is not 1."""
    return canonical(a) == canonical(b)


def json_type(value):
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return "number"
    return next((name for name, kind in JSON_TYPES.items() if isinstance(value, kind)), None)


def check_passes(check, body):
    value = reach(body, check["path"].split(".") if check["path"] else [], check["where"])
    if value is MISSING:
        return False
    expected = check["value"]
    if check["operator"] == "equals":
        return same_json(value, expected)
    if check["operator"] == "in_any_order":
        return isinstance(value, list) and sorted(map(canonical, value)) == sorted(map(canonical, expected))
    if check["operator"] == "is":
        return json_type(value) == expected
    return True  # present


def answer_ok(function, body, redelivery=False):
    """Whether a 200 body is what `function` answers to a first delivery, or with `redelivery`
    also what it may answer to a copy sent again."""
    checks = EXPECT[function]["answer"]
    if all(check_passes(c, body) for c in checks["first"]):
        return True
    return redelivery and bool(checks["redelivery"]) and all(check_passes(c, body) for c in checks["redelivery"])


def at(payload, path):
    """The value at a dotted `path` of a payload; a path the payload lacks is an expectation error."""
    value = payload
    for key in path.split("."):
        if not isinstance(value, dict) or key not in value:
            raise ExpectationError(f"the payload has no {path}")
        value = value[key]
    return value


def set_at(payload, path, value):
    """Sets the existing `path` of a payload to `value`."""
    *parents, last = path.split(".")
    at(payload, path)
    parent = at(payload, ".".join(parents)) if parents else payload
    parent[last] = value


def render(template, run, number, payload=None, item=None):
    """`template` with its placeholders replaced: see "Templates" above. `payload` is a callable
    giving the payload sent (parsed only when a placeholder needs it)."""
    def value(match):
        name = match.group(1)
        if name == "run":
            return run
        if name == "number":
            return str(number)
        if name.startswith("item."):
            if name[5:] not in item:
                raise KeyError(name[5:])
            return str(item[name[5:]])
        function, path = name.split(":", 1)
        text = at(payload(), path).encode()
        return hashlib.sha256(text).hexdigest() if function == "sha256" else str(len(text))
    return PLACEHOLDER.sub(value, template)


# Every function served at a route: the registry's, not a list of our own.
FUNCTIONS = {f["name"]: f for f in registry.functions() if f["route"]}
ROUTES = {name: f["route"] for name, f in FUNCTIONS.items()}
SAMPLES = {name: json.loads((ROOT / f["payload"]).read_bytes()) for name, f in FUNCTIONS.items()}
EXPECT = {name: load_expectation(ROOT / f["expect"]) for name, f in FUNCTIONS.items()}
for _name, _expect in EXPECT.items():
    if not set(_expect["sent_after"]) <= EXPECT.keys():
        raise ExpectationError(f"{_name}: sent_after names a function the registry does not serve")
    if _expect["large_field"] is not None:
        at(SAMPLES[_name], _expect["large_field"])

# Only the attributes the checks read: chunk items carry 300 KB each.
SCANNED_ATTRIBUTES = sorted({"pk", "sk", "kind", "chunk_count"} | {
    name
    for expect in EXPECT.values() if expect["records"]
    for item in expect["records"]["items"]
    for name in [*item["attributes"], *expect["records"]["same"],
                 *([item["newest_of"]["by"]] if item["newest_of"] else []),
                 *(n[5:] for n in PLACEHOLDER.findall(item["parts"] or ""))]
})


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


class Relay:
    """A loopback TCP relay to `upstream_port` that can cut the link: every open connection is
    reset and new ones are refused, until `reopen` listens again on the same port.

    An outage of the table seen from the functions, with DynamoDB Local itself left running:
    killing or stopping DynamoDB Local is no outage to test with, since it can acknowledge a
    write in the last milliseconds and then not have kept it (seen on both SIGTERM and SIGKILL
    under 8 writing connections), which no real table does."""

    def __init__(self, upstream_port):
        self.upstream = ("127.0.0.1", upstream_port)
        self.port = free_port()
        self.lock = threading.Lock()
        self.open_sockets = set()
        self.listener = None
        self.closed = False
        self.reopen()
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def endpoint(self):
        return f"http://127.0.0.1:{self.port}"

    def reopen(self):
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        with self.lock:
            self.listener = listener
        return self.endpoint

    def cut(self):
        """Refuses new connections and resets every open one."""
        with self.lock:
            listener, self.listener = self.listener, None
            sockets, self.open_sockets = self.open_sockets, set()
        if listener is not None:
            listener.close()
        for sock in sockets:
            _wake(sock)  # its pump thread resets both ends

    def close(self):
        self.closed = True
        self.cut()

    def _accept(self):
        while not self.closed:
            with self.lock:
                listener = self.listener
            if listener is None:
                time.sleep(0.01)
                continue
            try:
                if not select.select([listener], [], [], 0.05)[0]:
                    continue
                client, _ = listener.accept()
            except (OSError, ValueError):
                continue  # cut meanwhile
            try:
                upstream = socket.create_connection(self.upstream, timeout=5)
                upstream.settimeout(None)
            except OSError:
                _reset(client)
                continue
            with self.lock:
                if self.listener is not listener:  # cut while connecting
                    _reset(client)
                    _reset(upstream)
                    continue
                self.open_sockets.update((client, upstream))
            for source, target in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    def _pump(self, source, target):
        try:
            while chunk := source.recv(65536):
                target.sendall(chunk)
        except OSError:
            pass
        with self.lock:
            self.open_sockets.difference_update((source, target))
        _reset(source)
        _reset(target)


def _wake(sock):
    """Ends a blocked `recv` on `sock` (no packet is sent): closing a socket from another
    thread does not wake it on Linux."""
    try:
        sock.shutdown(socket.SHUT_RD)
    except OSError:
        pass


def _reset(sock):
    """Closes `sock` with a reset (RST), as a broken link does, not an orderly FIN."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    _wake(sock)
    sock.close()


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
    run: str
    number: int

    @property
    def route(self):
        return ROUTES[self.function]

    @property
    def headers(self):
        return signed_headers(self.function, self.body)

    @property
    def records(self):
        """What it leaves in the records table (its expectation's "records"), or None."""
        return EXPECT[self.function]["records"]

    @property
    def writes(self):
        """Whether it stores records (beyond its idempotency record)."""
        return self.records is not None

    @cached_property
    def payload(self):
        return json.loads(self.body)

    def value(self, template):
        """An expectation's template rendered for this delivery; true, false and null as they are."""
        if not isinstance(template, str):
            return template
        return render(template, self.run, self.number, lambda: self.payload)

    @property
    def pk(self):
        """The partition key it writes, or None."""
        return self.value(self.records["partition"]) if self.writes else None


def sign_rossum(_function, body):
    return {"X-Rossum-Signature-SHA256": "sha256=" + hmac.new(ROSSUM_SECRET, body, hashlib.sha256).hexdigest()}


def sign_inkit(function, body):
    return {"Inkit-Signature": hmac.new(inkit_secret(function), body, hashlib.sha256).hexdigest()}


def sign_contractfit(_function, _body):
    return {"Authorization": "Bearer " + CONTRACTFIT_TOKEN}


# How each platform of the registry signs a delivery (the local server's development secrets).
SIGNERS = {"rossum": sign_rossum, "inkit": sign_inkit, "contractfit": sign_contractfit}


def signed_headers(function, body):
    platform = FUNCTIONS[function]["platform"]
    if platform not in SIGNERS:
        raise RuntimeError(f"{function}: no signing known for platform {platform!r}")
    return {"Content-Type": "application/json", **SIGNERS[platform](function, body)}


def large_text(size, seed=7):
    """Text that compresses poorly (random letters and spaces), so gzip keeps it large."""
    rng = random.Random(seed)
    return "".join(rng.choices(string.ascii_letters + "  \n", k=size))


# Stands for a delivery's number in a payload template: no sample contains it.
NUMBER = "7350918264"


class Deliveries:
    """Signed deliveries of every function, told apart by a number: deliveries with different
    numbers have different ids (each function's "fresh" fields), and the same function and
    number give the same bytes again (a redelivery)."""

    def __init__(self, run_id):
        self.run_id = run_id
        self._counter = 0
        self._lock = threading.Lock()
        # A run-specific base keeps the numeric Rossum ids of runs sharing a table apart.
        self._number_base = (int(hashlib.sha256(run_id.encode()).hexdigest()[:6], 16) + 1) * 1_000_000
        self._templates = {function: self._template(function) for function in ROUTES}

    def next_number(self):
        with self._lock:
            self._counter += 1
            return self._number_base + self._counter

    def _payload(self, function, number):
        payload = copy.deepcopy(SAMPLES[function])
        for path, template in EXPECT[function]["fresh"].items():
            value = render(template, self.run_id, number)
            # A numeric id stays a number, as the platform sends it.
            numeric = isinstance(at(payload, path), int) and not isinstance(at(payload, path), bool)
            set_at(payload, path, int(value) if numeric else value)
        return payload

    def _template(self, function):
        if NUMBER.encode() in (ROOT / FUNCTIONS[function]["payload"]).read_bytes():
            raise AssertionError(f"{function}'s sample contains {NUMBER}")
        return dumps(self._payload(function, NUMBER))

    def delivery(self, function, number=None, large=None):
        """The delivery of `function` with `number` (a new one by default); `large`: the text of
        its "large_field" instead of the sample's."""
        number = self.next_number() if number is None else number
        if large is None:
            body = self._templates[function].replace(NUMBER.encode(), str(number).encode())
        else:
            field = EXPECT[function]["large_field"]
            if field is None:
                raise ExpectationError(f"{function} has no large_field")
            payload = self._payload(function, number)
            set_at(payload, field, large)
            body = dumps(payload)
        return Delivery(function, body, self.run_id, number)


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
# what a delivery must have stored (its expectation's "records")


def matches(spec, sk):
    """Whether an item spec of an expectation describes the sort key `sk`."""
    return sk == spec["sk"] if spec["sk"] is not None else sk.startswith(spec["sk_prefix"])


def named(spec):
    return spec["sk"] if spec["sk"] is not None else spec["sk_prefix"] + "…"


def attribute_problems(where, item, spec, expected):
    """Problems unless `item` has the spec's kind and every `expected` attribute (None: present,
    any value)."""
    problems = []
    if spec["kind"] is not None and item.get("kind") != spec["kind"]:
        problems.append(f"{where}: kind is {item.get('kind')!r}, expected {spec['kind']!r}")
    for name, value in expected.items():
        if name not in item:
            problems.append(f"{where}: no {name}")
        elif value is not None and item[name] != value:
            problems.append(f"{where}: {name} is {item[name]!r}, expected {value!r}")
    return problems


def parts_prefix(spec, item):
    """The sort-key prefix of the parts of a chunked item, or None when it cannot be told."""
    try:
        return render(spec["parts"], "", "", item=item)
    except KeyError:
        return None


def parts_problems(pk, sk, item, spec, items):
    """(problems, the sort keys of its parts) of an item: a chunked item has all its parts."""
    if "chunk_count" not in item:
        return [], []
    prefix = parts_prefix(spec, item) if spec["parts"] else None
    if prefix is None:
        return [f"{pk}: {sk} has a chunk_count, but no parts are expected of it"], []
    parts = sorted(s for s in items if s.startswith(prefix))
    expected = [f"{prefix}{n:05}" for n in range(int(item["chunk_count"]))]
    return ([] if parts == expected else [f"{pk}: {sk} has {len(parts)} of its {len(expected)} parts"]), parts


def partition_problems(pk, deliveries, partition):
    """Why the items of partition `pk` are not exactly what `deliveries` (all stored, in this
    order) leave there, if they are not: every expected item once, complete, nothing else."""
    items = {item["sk"]: item for item in partition}
    if len(items) != len(partition):
        return [f"{pk}: a sort key appears twice"]
    # A partition-clearing delivery leaves its own items only: what came before it is gone.
    clearing = [i for i, d in enumerate(deliveries) if d.records["clears_partition"]]
    deliveries = deliveries[clearing[-1]:] if clearing else deliveries
    problems, accounted, shared = [], set(), {}
    for delivery in deliveries:
        own = {}
        for spec in delivery.records["items"]:
            expected = {name: delivery.value(value) for name, value in spec["attributes"].items()}
            if spec["shared"]:
                # Every delivery updates the one item: it must hold what each of them sets.
                shared.setdefault(spec["sk"], (spec, {}))[1].update(expected)
                continue
            found = [sk for sk in items if matches(spec, sk) and sk not in accounted]
            if len(found) != 1:
                problems.append(f"{pk}: {delivery.function}: {len(found)} items {named(spec)}, expected 1")
                continue
            sk = found[0]
            own[sk] = items[sk]
            accounted.add(sk)
            problems += attribute_problems(f"{pk} {sk}", items[sk], spec, expected)
            more, parts = parts_problems(pk, sk, items[sk], spec, items)
            problems += more
            accounted.update(parts)
        for name in delivery.records["same"]:
            if len({canonical(item.get(name)) for item in own.values()}) > 1:
                problems.append(f"{pk}: {delivery.function}: its items differ in {name}: not one write")
    for sk, (spec, expected) in shared.items():
        if sk not in items:
            problems.append(f"{pk}: no {sk}")
            continue
        accounted.add(sk)
        problems += attribute_problems(f"{pk} {sk}", items[sk], spec, expected)
    extra = sorted(set(items) - accounted)
    if extra:
        problems.append(f"{pk}: items no delivery accounts for: {extra[:5]}")
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


def owners(pk):
    """The records expectations of the functions whose partitions look like `pk`."""
    return [(function, expect["records"]) for function, expect in EXPECT.items()
            if expect["records"] and pk.startswith(expect["records"]["prefix"])]


def part_heads(family):
    """What the sort keys of any part in a partition of `family` begin with."""
    return tuple({spec["parts"].split("{", 1)[0] for _, records in family for spec in records["items"]
                  if spec["parts"]})


def consistency_problems(partitions):
    """What no interruption may leave behind, whatever was answered: an item without its
    attributes (those set last aside), a chunked item missing parts, a shared item without the
    items it belongs to (or the reverse), an item that is not the newest of those it repeats,
    part of an all-or-nothing write, an item or partition no function stores."""
    problems = []
    for pk, partition in partitions.items():
        items = {item["sk"]: item for item in partition}
        family = owners(pk)
        if not family:
            problems.append(f"{pk}: a partition no function stores")
            continue
        specs = [spec for _, records in family for spec in records["items"]]
        heads = part_heads(family)
        for sk, item in items.items():
            described = [spec for spec in specs if matches(spec, sk)]
            if not described:
                # Parts are checked from their item; a part without one is orphan_parts'.
                if not (heads and sk.startswith(heads)):
                    problems.append(f"{pk}: {sk} is an item no function stores")
                continue
            # An item several functions write (a shared one) needs to be complete for one.
            options = [attribute_problems(f"{pk} {sk}", item, spec, {
                name: None for name in spec["attributes"] if name not in spec["set_last"]}) for spec in described]
            if all(options):
                problems += min(options, key=len)
            chunked = next((spec for spec in described if spec["parts"]), described[0])
            problems += parts_problems(pk, sk, item, chunked, items)[0]
        own = [sk for sk in items if any(matches(spec, sk) and not spec["shared"] for spec in specs)]
        for sk in {spec["sk"] for spec in specs if spec["shared"]}:
            if (sk in items) != bool(own):
                problems.append(f"{pk}: {len(own)} items and {'a' if sk in items else 'no'} {sk}")
        for spec in {spec["sk"]: spec for spec in specs if spec["newest_of"]}.values():
            prefix, by = spec["newest_of"]["sk_prefix"], spec["newest_of"]["by"]
            sources = [item.get(by) for sk, item in items.items() if sk.startswith(prefix)]
            latest = items.get(spec["sk"])
            if sources and latest is None:
                problems.append(f"{pk}: {prefix}… items without their {spec['sk']}")
            elif latest is not None and (not sources or None in sources or latest.get(by) != max(sources)):
                problems.append(f"{pk}: {spec['sk']} is not the newest of its {prefix}… items")
        # A deletion in progress removes a write's items in any order; otherwise they go together.
        clearing = any(records["clears_partition"] and any(matches(spec, sk) for spec in records["items"] for sk in items)
                       for _, records in family)
        for function, records in family:
            if not records["all_or_nothing"] or clearing:
                continue
            own_specs = [spec for spec in records["items"] if not spec["shared"]]
            writes = defaultdict(dict)  # the values of "same" -> {spec number: sort key}
            for sk, item in items.items():
                for number, spec in enumerate(own_specs):
                    if matches(spec, sk):
                        writes[tuple(item.get(name) for name in records["same"])][number] = sk
            for values, found in writes.items():
                if len(found) != len(own_specs):
                    problems.append(f"{pk}: the {function} write at {values} left only {sorted(found.values())}")
    return problems


def orphan_parts(partitions):
    """Parts whose owning item does not exist (parts written before a failed write)."""
    orphans = []
    for pk, partition in partitions.items():
        family = owners(pk)
        specs = [spec for _, records in family for spec in records["items"]]
        heads = part_heads(family)
        prefixes = set()
        for item in partition:
            for spec in specs:
                if spec["parts"] and "chunk_count" in item and matches(spec, item["sk"]):
                    prefixes.add(parts_prefix(spec, item))
        orphans += [(pk, item["sk"]) for item in partition
                    if heads and item["sk"].startswith(heads) and not any(matches(s, item["sk"]) for s in specs)
                    and not any(p and item["sk"].startswith(p) for p in prefixes)]
    return orphans


def percentile(sorted_values, fraction):
    """Nearest-rank percentile of already sorted values."""
    if not sorted_values:
        return float("nan")
    return sorted_values[max(0, math.ceil(fraction * len(sorted_values)) - 1)]


def own_items(delivery, items):
    """The sort keys of `items` (a partition, by sort key) that `delivery` itself writes: those
    its expectation describes, shared items aside (an earlier delivery may have written them)."""
    if not delivery.writes:
        return []
    return [sk for sk in items if any(matches(spec, sk) and not spec["shared"] for spec in delivery.records["items"])]


def write_complete(delivery, items):
    """Whether `items` (its partition, by sort key) hold the delivery's whole write: each item
    it leaves once, shared ones included, with every attribute it expects."""
    for spec in (delivery.records["items"] if delivery.writes else []):
        found = [sk for sk in items if matches(spec, sk)]
        if len(found) != 1 or any(name not in items[found[0]] for name in spec["attributes"]):
            return False
    return True


def parts_of(delivery, items):
    """The sort keys of the parts of the delivery's chunked items."""
    parts = []
    for spec in (delivery.records["items"] if delivery.writes else []):
        for sk, item in items.items():
            if spec["parts"] and matches(spec, sk) and "chunk_count" in item:
                prefix = parts_prefix(spec, item)
                parts += [s for s in items if prefix and s.startswith(prefix)]
    return parts


def out_of_time(_signal, _frame):
    """SIGALRM handler: the test's time is up; raised in the main thread, so cleanup runs."""
    raise TimeoutError("the test ran out of time")
