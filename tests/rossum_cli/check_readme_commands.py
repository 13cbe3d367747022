#!/usr/bin/env python3
"""Every `rossum ...` command of README.md, run with the real Rossum CLI against a fake Rossum API.

    python3 tests/rossum_cli/check_readme_commands.py [--cli .venv/bin/rossum] [--readme README.md]

Starts a fake Rossum API on a free loopback port: login and logout, the signed-in user, queues,
and hooks (list, create, retrieve, update, delete), answering with objects shaped like those of
Rossum's API reference, validating what it is sent (stricter than Rossum: unknown hook fields
are refused), storing the hooks, and recording every request.

Then takes the ```sh blocks of README.md that hold a `rossum` command or a call of Rossum's API
(`$ROSSUM_URL`) and runs them, in README order, in one bash with `set -eo pipefail`, the
variables the README asks the reader to set (ROSSUM_URL, ROSSUM_USERNAME, ROSSUM_PASSWORD,
ROSSUM_HOOK_SECRET, NEW_SECRET, Q, API) set to test values (the README's own assignments of
them are skipped), `rossum` being the real CLI and `curl` the real curl restricted to the fake.
Every other line of those blocks runs as written (the hook ids kept by `hook create`, the token
from the login call, ...).

Checks, one line each: the CLI is installed; the README has rossum commands and each of them
ran and exited 0 (every curl too); one hook per Rossum function with exactly its events, its
URL, the queue and the deployed secret; no hook on the deprecated `annotation_content.user_update`;
no hook above a 30 s timeout; every update kept the hook's events and URL; the rotation gave
every hook the new secret and kept the rest of its config; `rossum configure` (prompts answered
on stdin) stores what the CLI then signs in with. Prints 'N passed, N failed'; exits 1 on any
failure. A missing CLI is a failure, not a skip.
"""
import argparse
import copy
import http.server
import json
import os
import re
import secrets
import shlex
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[2]

# function -> (route, events): what each Rossum function of this repository handles.
FUNCTIONS = {
    "initialize": ("/rossum/annotation-content/initialize", {"annotation_content.initialize"}),
    "updated": ("/rossum/annotation-content/updated",
                {"annotation_content.updated", "annotation_content.started"}),
    "export": ("/rossum/annotation-content/export",
               {"annotation_content.confirm", "annotation_content.export"}),
    "status": ("/rossum/annotation-status", {"annotation_status.changed"}),
    "email": ("/rossum/email", {"email.received"}),
    "upload": ("/rossum/upload", {"upload.created"}),
}

# Rossum's webhook events: whole events (every action) and event.action.
KNOWN_EVENTS = {
    "annotation_status", "annotation_status.changed",
    "annotation_content", "annotation_content.initialize", "annotation_content.started",
    "annotation_content.user_update", "annotation_content.updated",
    "annotation_content.confirm", "annotation_content.export",
    "upload", "upload.created", "email", "email.received",
    "invocation", "invocation.scheduled", "invocation.manual",
}
DEPRECATED = "annotation_content.user_update"

# What the test sets in place of the README's placeholders.
API = "https://a1b2c3d4e5.execute-api.eu-central-1.amazonaws.com"
QUEUE_ID = 8199
USERNAME = "integration@east-west-trading.example"


def now():
    return time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime())


class ApiError(Exception):
    def __init__(self, status, body):
        super().__init__(status)
        self.status = status
        self.body = body


class FakeRossum:
    """An in-memory Rossum API under http://127.0.0.1:PORT/api/v1, recording every request."""

    HOOK_WRITABLE = {
        "type", "name", "queues", "run_after", "active", "events", "sideload", "metadata",
        "config", "token_owner", "token_lifetime_s", "test", "description", "extension_source",
        "settings", "settings_schema", "secrets", "secrets_schema", "guide", "read_more_url",
        "extension_image_url", "hook_template",
    }
    HOOK_READ_ONLY = {"id", "url", "created_by", "created_at", "modified_by", "modified_at", "status"}

    def __init__(self, username, password):
        self.username = username
        self.password = password
        self.lock = threading.Lock()
        self.requests = []
        self.tokens = set()
        self.hooks = {}
        self.next_hook_id = 1500
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def handle_any(self):
                fake.handle(self)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = handle_any

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}/api"
        self.v1 = self.base + "/v1"
        org = f"{self.v1}/organizations/406"
        self.user = {
            "id": 10775, "url": f"{self.v1}/users/10775", "first_name": "Ida",
            "last_name": "Integration", "email": username, "username": username,
            "organization": org, "groups": [f"{self.v1}/groups/3"],
            "queues": [f"{self.v1}/queues/8199", f"{self.v1}/queues/8198"],
            "is_active": True, "date_joined": "2020-01-01T09:05:50.213451Z",
            "last_login": now(), "metadata": {}, "ui_settings": {}, "auth_type": "password",
        }
        self.queues = {qid: self.queue(qid, name) for qid, name in
                       ((8199, "Received invoices"), (8198, "Receipts"))}
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def queue(self, qid, name):
        v1 = self.v1
        return {
            "id": qid, "name": name, "url": f"{v1}/queues/{qid}",
            "workspace": f"{v1}/workspaces/7540", "connector": None, "webhooks": [], "hooks": [],
            "schema": f"{v1}/schemas/31336", "inbox": f"{v1}/inboxes/1229",
            "users": [f"{v1}/users/10775"], "session_timeout": "01:00:00",
            "rir_url": "https://all.rir.rossum.ai", "rir_params": None, "dedicated_engine": None,
            "generic_engine": None, "engine": None, "counts": {"to_review": 2, "exported": 0},
            "default_score_threshold": 0.8, "automation_enabled": False,
            "automation_level": "never", "locale": "en_US", "metadata": {},
            "use_confirmed_state": False, "document_lifetime": None, "delete_after": None,
            "modified_by": f"{v1}/users/10775", "modified_at": "2020-01-01T10:08:03.856648Z",
            "settings": {}, "workflows": [],
        }

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    # --- HTTP ---------------------------------------------------------------------------

    def handle(self, h):
        parts = urlsplit(h.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        raw = h.rfile.read(int(h.headers.get("Content-Length") or 0))
        record = {"method": h.command, "path": parts.path, "query": query,
                  "authorization": (h.headers.get("Authorization") or "").split(" ")[0] or None,
                  "body": None, "before": None, "after": None}
        try:
            if raw:
                try:
                    record["body"] = json.loads(raw)
                except ValueError:
                    raise ApiError(400, {"detail": "JSON parse error."})
            with self.lock:
                status, body = self.route(h, parts.path, query, record)
        except ApiError as e:
            status, body = e.status, e.body
        record["status"] = status
        with self.lock:
            self.requests.append(record)
        data = b"" if body is None else json.dumps(body).encode()
        h.send_response(status)
        if body is not None:
            h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)

    def route(self, h, path, query, record):
        if not path.startswith("/api/v1/"):
            raise ApiError(404, {"detail": "Not found."})
        segs = [s for s in path[len("/api/v1/"):].split("/") if s]
        method = h.command
        if segs == ["auth", "login"]:
            self.allow(method, "POST")
            return self.login(record["body"])
        self.authenticate(h.headers.get("Authorization"))
        if segs == ["auth", "logout"]:
            self.allow(method, "POST")
            self.tokens.discard(h.headers["Authorization"].split(" ", 1)[1])
            return 200, {"detail": "Successfully logged out."}
        if segs == ["auth", "user"] or segs == ["users", "10775"]:
            self.allow(method, "GET")
            return 200, self.user
        if segs == ["queues"]:
            self.allow(method, "GET")
            items = list(self.queues.values())
            if "id" in query:
                ids = {int(i) for i in query["id"].split(",") if i.strip().isdigit()}
                items = [q for q in items if q["id"] in ids]
            return 200, self.page(path, query, items)
        if len(segs) == 2 and segs[0] == "queues":
            self.allow(method, "GET")
            return 200, self.find(self.queues, segs[1])
        if segs == ["hooks"]:
            self.allow(method, "GET", "POST")
            if method == "POST":
                return self.create_hook(record["body"], record)
            return 200, self.page(path, query, self.filter_hooks(query))
        if len(segs) == 2 and segs[0] == "hooks":
            self.allow(method, "GET", "PATCH", "PUT", "DELETE")
            hook = self.find(self.hooks, segs[1])
            if method == "GET":
                return 200, self.public(hook)
            if method == "DELETE":
                record["before"] = self.public(hook)
                del self.hooks[hook["id"]]
                self.link_queues()
                return 204, None
            return self.update_hook(hook, record["body"], method == "PATCH", record)
        raise ApiError(404, {"detail": "Not found."})

    @staticmethod
    def allow(method, *allowed):
        if method not in allowed:
            raise ApiError(405, {"detail": f'Method "{method}" not allowed.'})

    def login(self, body):
        if not isinstance(body, dict) or not {"username", "password"} <= body.keys():
            raise ApiError(400, {"username": ["This field is required."],
                                 "password": ["This field is required."]})
        if body["username"] != self.username or body["password"] != self.password:
            raise ApiError(401, {"non_field_errors": ["Unable to log in with provided credentials."]})
        key = secrets.token_hex(20)
        self.tokens.add(key)
        return 200, {"key": key, "domain": f"127.0.0.1:{self.port}"}

    def authenticate(self, header):
        if not header:
            raise ApiError(401, {"detail": "Authentication credentials were not provided."})
        scheme, _, key = header.partition(" ")
        if scheme not in ("Bearer", "Token") or key not in self.tokens:
            raise ApiError(401, {"detail": "Invalid token."})

    @staticmethod
    def find(table, ident):
        if not ident.isdigit() or int(ident) not in table:
            raise ApiError(404, {"detail": "Not found."})
        return table[int(ident)]

    def page(self, path, query, items):
        size = min(int(query.get("page_size", 20)), 100)
        number = int(query.get("page", 1))
        chunk = items[(number - 1) * size: number * size]
        total_pages = max(1, -(-len(items) // size))
        nxt = None
        if number < total_pages:
            nxt = f"http://127.0.0.1:{self.port}{path}?" + urlencode({**query, "page": number + 1})
        return {"pagination": {"total": len(items), "total_pages": total_pages, "next": nxt,
                               "previous": None},
                "results": [self.public(i) if "events" in i else i for i in chunk]}

    def filter_hooks(self, query):
        hooks = list(self.hooks.values())
        if "id" in query:
            ids = {int(i) for i in query["id"].split(",") if i.strip().isdigit()}
            hooks = [h for h in hooks if h["id"] in ids]
        if "name" in query:
            hooks = [h for h in hooks if h["name"] == query["name"]]
        if "type" in query:
            hooks = [h for h in hooks if h["type"] == query["type"]]
        if "active" in query:
            hooks = [h for h in hooks if h["active"] == (query["active"] == "true")]
        if "queue" in query:
            hooks = [h for h in hooks if f"{self.v1}/queues/{query['queue']}" in h["queues"]]
        if "config_url" in query:
            hooks = [h for h in hooks if h["config"].get("url") == query["config_url"]]
        return hooks

    @staticmethod
    def public(hook):
        out = copy.deepcopy(hook)
        out["secrets"] = {}  # write only
        return out

    def link_queues(self):
        for q in self.queues.values():
            q["hooks"] = [h["url"] for h in self.hooks.values() if q["url"] in h["queues"]]

    # --- hooks --------------------------------------------------------------------------

    def validate(self, fields, creating):
        errors = {}
        for key in fields:
            if key not in self.HOOK_WRITABLE and key not in self.HOOK_READ_ONLY:
                errors[key] = ["Unknown field (this fake refuses fields a hook does not have)."]
        if creating and not fields.get("name"):
            errors["name"] = ["This field is required."]
        if "name" in fields and not (isinstance(fields["name"], str) and fields["name"]):
            errors["name"] = ["Not a valid string."]
        if "type" in fields and fields["type"] not in ("webhook", "function"):
            errors["type"] = [f'"{fields["type"]}" is not a valid choice.']
        if "active" in fields and not isinstance(fields["active"], bool):
            errors["active"] = ["Must be a valid boolean."]
        if "events" in fields:
            events = fields["events"]
            if not isinstance(events, list) or not all(isinstance(e, str) for e in events):
                errors["events"] = ["Expected a list of items."]
            else:
                bad = [e for e in events if e not in KNOWN_EVENTS]
                if bad:
                    errors["events"] = [f'"{e}" is not a valid choice.' for e in bad]
        if "queues" in fields:
            known = {q["url"] for q in self.queues.values()}
            qs = fields["queues"]
            if not isinstance(qs, list) or any(q not in known for q in qs):
                errors["queues"] = ["Invalid hyperlink - Object does not exist."]
        if "run_after" in fields:
            known = {h["url"] for h in self.hooks.values()}
            if not isinstance(fields["run_after"], list) or any(u not in known for u in fields["run_after"]):
                errors["run_after"] = ["Invalid hyperlink - Object does not exist."]
        if fields.get("token_owner") not in (None, self.user["url"]):
            errors["token_owner"] = ["Invalid hyperlink - Object does not exist."]
        for key in ("metadata", "settings", "secrets", "test"):
            if key in fields and not isinstance(fields[key], dict):
                errors[key] = ["Expected a dictionary of items."]
        if "config" in fields:
            errors.update(self.validate_config(fields["config"], fields.get("type", "webhook"), creating))
        if errors:
            raise ApiError(400, errors)

    @staticmethod
    def validate_config(config, hook_type, creating):
        if not isinstance(config, dict):
            return {"config": ["Expected a dictionary of items."]}
        errors = []
        if hook_type == "webhook" and creating and not config.get("url"):
            errors.append("url: This field is required.")
        if "url" in config and not re.match(r"https?://[^/\s]+", str(config["url"])):
            errors.append("url: Enter a valid URL.")
        for key, low, high in (("timeout_s", 0, 60), ("retry_count", 0, 4),
                               ("max_polling_time_s", 1, 3600)):
            if key in config:
                value = config[key]
                if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
                    errors.append(f"{key}: Ensure this value is an integer from {low} to {high}.")
        for key in ("insecure_ssl", "private", "retry_on_any_non_2xx",
                    "retry_after_polling_failure", "payload_logging_enabled"):
            if key in config and not isinstance(config[key], bool):
                errors.append(f"{key}: Must be a valid boolean.")
        if "secret" in config and not isinstance(config["secret"], str):
            errors.append("secret: Not a valid string.")
        return {"config": errors} if errors else {}

    def create_hook(self, body, record):
        if not isinstance(body, dict):
            raise ApiError(400, {"non_field_errors": ["Invalid data. Expected a dictionary."]})
        self.validate(body, creating=True)
        hid = self.next_hook_id
        self.next_hook_id += 1
        hook = {
            "id": hid, "type": "webhook", "url": f"{self.v1}/hooks/{hid}", "name": None,
            "metadata": {}, "queues": [], "run_after": [], "sideload": [], "active": True,
            "events": [], "config": {}, "token_owner": None, "token_lifetime_s": None,
            "test": {}, "description": "", "extension_source": "custom", "settings": {},
            "settings_schema": None, "secrets": {}, "secrets_schema": None, "guide": None,
            "read_more_url": None, "extension_image_url": None, "hook_template": None,
            "created_by": self.user["url"], "created_at": now(),
            "modified_by": self.user["url"], "modified_at": now(),
        }
        for key, value in body.items():
            if key in self.HOOK_WRITABLE:
                hook[key] = copy.deepcopy(value)
        self.hooks[hid] = hook
        self.link_queues()
        record["after"] = self.public(hook)
        return 201, self.public(hook)

    def update_hook(self, hook, body, partial, record):
        if not isinstance(body, dict):
            raise ApiError(400, {"non_field_errors": ["Invalid data. Expected a dictionary."]})
        merged = {**hook, **body} if partial else body
        self.validate(body if partial else merged, creating=not partial)
        record["before"] = self.public(hook)
        for key, value in body.items():
            if key in self.HOOK_WRITABLE:  # a field sent replaces the stored one, objects whole
                hook[key] = copy.deepcopy(value)
        hook["modified_at"] = now()
        self.link_queues()
        record["after"] = self.public(hook)
        return 200, self.public(hook)


# --- README ---------------------------------------------------------------------------------

IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
ASSIGN = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)=")
SEPARATORS = {";", "&&", "||", "|", "&", "(", ")", "$(", "do", "then", "else", "{", "}"}


def sh_blocks(readme_text):
    """(first line number, text) of each ```sh block."""
    blocks = []
    for m in re.finditer(r"^```sh\n(.*?)^```", readme_text, re.S | re.M):
        blocks.append((readme_text.count("\n", 0, m.start()) + 2, m.group(1)))
    return blocks


def logical_lines(block_text):
    """Physical lines joined at trailing backslashes: (physical lines, joined text)."""
    out, pending = [], []
    for line in block_text.splitlines():
        pending.append(line)
        if line.endswith("\\"):
            continue
        out.append((pending, " ".join(p[:-1] if p.endswith("\\") else p for p in pending)))
        pending = []
    if pending:
        out.append((pending, " ".join(pending)))
    return out


def tokens(line):
    lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|()")
    lexer.whitespace_split = True
    lexer.commenters = "#"
    return list(lexer)


def command_words(line):
    """The words in command position of a logical line (after separators, `$(`, assignments)."""
    words, at_start = [], True
    for tok in tokens(line):
        if tok in SEPARATORS or tok.endswith("$") and tok[:-1] and ASSIGN.match(tok):
            at_start = True  # "X=$" then "(": a command substitution follows
            continue
        if at_start and ASSIGN.match(tok) and not tok.startswith("="):
            continue  # NAME=value before a command
        if at_start:
            words.append(tok)
        at_start = False
    return words


def is_rossum_command(line):
    return "rossum" in command_words(line)


def is_rossum_api_call(line):
    return "curl" in command_words(line) and re.search(r"\$\{?ROSSUM_URL\b", line) is not None


def only_sets(line, names):
    """True when the line only assigns (NAME=..., export NAME..., read ... NAME) names in `names`."""
    try:
        toks = tokens(line)
    except ValueError:
        return False
    if not toks:
        return False
    commands, current = [], []
    for tok in toks:
        if tok in (";", "&&"):
            commands.append(current)
            current = []
        else:
            current.append(tok)
    commands.append(current)
    for cmd in commands:
        if not cmd:
            continue
        if cmd[0] == "export":
            assigned = [ASSIGN.match(t).group(1) if ASSIGN.match(t) else t for t in cmd[1:]]
        elif cmd[0] == "read":
            assigned = [t for t in cmd[1:] if IDENT.fullmatch(t)]
            if not assigned:
                return False
        else:
            assigned = []
            for t in cmd:
                m = ASSIGN.match(t)
                if not m:
                    return False
                assigned.append(m.group(1))
        if not assigned or any(a not in names for a in assigned):
            return False
    return True


PREAMBLE = r"""set -eo pipefail
rossum() {
    local rc=0
    "$ROSSUM_TEST_CLI" "$@" || rc=$?
    printf 'rossum\t%s\t%s\n' "$rc" "$*" >> "$ROSSUM_TEST_LOG"
    return $rc
}
curl() {
    local rc=0 arg
    for arg in "$@"; do
        case "$arg" in
            http://*|https://*) case "$arg" in "$ROSSUM_URL"/*) ;; *)
                echo "curl: $arg is not the fake Rossum API" >&2
                printf 'curl\t97\t%s\n' "$*" >> "$ROSSUM_TEST_LOG"; return 97 ;; esac ;;
        esac
    done
    command curl "$@" || rc=$?
    printf 'curl\t%s\t%s\n' "$rc" "$*" >> "$ROSSUM_TEST_LOG"
    return $rc
}
"""


# --- checks ----------------------------------------------------------------------------------

class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, ok, what, detail=""):
        if ok:
            self.passed += 1
            print(f"ok   {what}")
        else:
            self.failed += 1
            print(f"FAIL {what}" + (f": {detail}" if detail else ""))
        return ok


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cli", default=str(ROOT / ".venv/bin/rossum"))
    parser.add_argument("--readme", default=str(ROOT / "README.md"))
    args = parser.parse_args()
    c = Checks()

    cli = Path(args.cli)
    version = None
    if cli.is_file() and os.access(cli, os.X_OK):
        run = subprocess.run([str(cli), "--version"], capture_output=True, text=True)
        version = run.stdout.strip() if run.returncode == 0 else None
        click = subprocess.run([str(cli.parent / "python"), "-c", "import click; print(click.__version__)"],
                               capture_output=True, text=True)
        if version and click.returncode == 0:  # the CLI's options are checked differently by click 8.1
            version += f" (click {click.stdout.strip()})"
    if not c.check(version is not None, f"the Rossum CLI is installed: {version or cli}",
                   f"{cli} missing or broken (./scripts/test installs it into .venv)"):
        return finish(c)

    readme = Path(args.readme).read_text()
    blocks = []
    for start, text in sh_blocks(readme):
        lines = logical_lines(text)
        cli_lines = [l for _, l in lines if is_rossum_command(l)]
        api_lines = [l for _, l in lines if is_rossum_api_call(l)]
        if cli_lines or api_lines:
            blocks.append((start, lines, cli_lines, api_lines))
    n_cli = sum(len(b[2]) for b in blocks)
    n_api = sum(len(b[3]) for b in blocks)
    if not c.check(n_cli > 0, f"README.md has {n_cli} rossum commands and {n_api} calls of "
                   f"Rossum's API in {len(blocks)} sh blocks", "nothing to run"):
        return finish(c)

    password = secrets.token_urlsafe(12)
    old_secret, new_secret = secrets.token_hex(32), secrets.token_hex(32)
    with FakeRossum(USERNAME, password) as fake, tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ROSSUM_")}
        overrides = {
            "ROSSUM_URL": fake.base, "ROSSUM_USERNAME": USERNAME, "ROSSUM_PASSWORD": password,
            "ROSSUM_HOOK_SECRET": old_secret, "NEW_SECRET": new_secret,
            "Q": str(QUEUE_ID), "API": API,
        }
        log = Path(tmp) / "runs.log"
        env.update(overrides, HOME=tmp, ROSSUM_TEST_CLI=str(cli), ROSSUM_TEST_LOG=str(log))
        script = [PREAMBLE]
        for start, lines, _, _ in blocks:
            script.append(f"# README.md line {start}")
            for physical, joined in lines:
                if only_sets(joined, overrides):
                    script.append(": set by the test: " + shlex.quote(joined))
                else:
                    script.extend(physical)
        script_path = Path(tmp) / "readme.sh"
        script_path.write_text("\n".join(script) + "\n")
        run = subprocess.run(["bash", str(script_path)], cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                             capture_output=True, text=True, timeout=300, start_new_session=True)
        c.check(run.returncode == 0, "the README's Rossum blocks ran through in bash",
                f"exit {run.returncode}\n--- stdout\n{run.stdout}--- stderr\n{run.stderr}")

        runs = []
        if log.exists():
            for line in log.read_text().splitlines():
                tool, rc, argv = line.split("\t", 2)
                runs.append((tool, int(rc), argv))
        cli_runs = [r for r in runs if r[0] == "rossum"]
        for tool, rc, argv in runs:
            c.check(rc == 0, f"{tool} {short(argv)} exited {rc}")
        c.check(len(cli_runs) >= n_cli, f"all {n_cli} rossum commands of the README ran",
                f"{len(cli_runs)} ran")
        c.check(len(runs) - len(cli_runs) >= n_api,
                f"all {n_api} Rossum API calls of the README ran", f"{len(runs) - len(cli_runs)} ran")

        check_hooks(c, fake, old_secret, new_secret)
        check_configure(c, fake, cli, tmp)

        errors = [r for r in fake.requests if r["status"] >= 400]
        c.check(not errors, f"the fake Rossum API answered all {len(fake.requests)} requests "
                f"without an error", "; ".join(
                    f"{r['method']} {r['path']} -> {r['status']}" for r in errors))
        counts = {}
        for r in fake.requests:
            key = f"{r['method']} {re.sub(r'/[0-9]+', '/{id}', r['path'][len('/api/v1'):])}"
            counts[key] = counts.get(key, 0) + 1
        print("     requests: " + ", ".join(f"{k} x{v}" for k, v in sorted(counts.items())))
    return finish(c)


def short(argv, limit=110):
    argv = re.sub(r"(Bearer|Token) [0-9a-f]+", r"\1 ...", argv)
    return argv if len(argv) <= limit else argv[:limit] + "..."


def check_hooks(c, fake, old_secret, new_secret):
    hooks = list(fake.hooks.values())
    queue_url = f"{fake.v1}/queues/{QUEUE_ID}"
    created = {r["after"]["id"]: r["after"] for r in fake.requests
               if r["method"] == "POST" and r["path"] == "/api/v1/hooks" and r["after"]}
    by_url = {}
    for h in hooks:
        by_url.setdefault(h["config"].get("url"), []).append(h)
    for name, (route, events) in FUNCTIONS.items():
        url = API + route
        found = by_url.get(url, [])
        if not c.check(len(found) == 1, f"{name}: one hook with config.url {route}",
                       f"{len(found)} hooks"):
            continue
        h = found[0]
        c.check(set(h["events"]) == events and len(h["events"]) == len(events),
                f"{name}: hook {h['id']} events {sorted(h['events'])}",
                f"expected {sorted(events)}")
        c.check(h["type"] == "webhook" and h["active"] is True and h["queues"] == [queue_url],
                f"{name}: hook {h['id']} is an active webhook on queue {QUEUE_ID}",
                f"type {h['type']}, active {h['active']}, queues {h['queues']}")
        first = created.get(h["id"], {}).get("config", {})
        c.check(first.get("secret") == old_secret,
                f"{name}: hook {h['id']} was created with the deployed secret")
    stray = [h for h in hooks if h["config"].get("url") not in {API + r for r, _ in FUNCTIONS.values()}]
    c.check(not stray, "no hook points anywhere else",
            ", ".join(f"{h['id']}: {h['config'].get('url')}" for h in stray))
    on_deprecated = [h for h in hooks if DEPRECATED in h["events"] or "annotation_content" in h["events"]]
    c.check(not on_deprecated, f"no hook subscribes to {DEPRECATED}",
            ", ".join(str(h["id"]) for h in on_deprecated))
    states = [r["after"] for r in fake.requests if r["after"]]
    slow = {h["id"]: h["config"]["timeout_s"] for h in states if h["config"].get("timeout_s", 30) > 30}
    c.check(not slow, "no hook ever had a timeout_s above 30 s (API Gateway stops waiting at 30 s)",
            ", ".join(f"{i}: {t}" for i, t in slow.items()))

    updates = [r for r in fake.requests if r["method"] in ("PATCH", "PUT") and r["after"]]
    c.check(bool(updates), f"the README updates hooks ({len(updates)} updates)")
    for r in updates:
        before, after = r["before"], r["after"]
        sent = r["body"]
        what = "rotation" if (sent.get("config") or {}).get("secret") == new_secret else "update"
        c.check(after["events"] == before["events"] and after["config"].get("url") == before["config"].get("url"),
                f"{what} of hook {after['id']} ({', '.join(sorted(sent))}) kept its events and URL",
                f"events {before['events']} -> {after['events']}, url {before['config'].get('url')} "
                f"-> {after['config'].get('url')}")
        if what == "rotation":
            rest_before = {k: v for k, v in before["config"].items() if k != "secret"}
            rest_after = {k: v for k, v in after["config"].items() if k != "secret"}
            c.check(after["config"]["secret"] == new_secret and rest_after == rest_before
                    and after["active"] == before["active"],
                    f"rotation of hook {after['id']} set the new secret and kept the rest of its config",
                    f"config {before['config']} -> {after['config']}, active {before['active']} -> {after['active']}")
    not_rotated = [h["id"] for h in hooks if h["config"].get("secret") != new_secret]
    c.check(hooks and not not_rotated, f"after the rotation all {len(hooks)} hooks have the new secret",
            f"old secret still on {not_rotated}")


def check_configure(c, fake, cli, tmp):
    """`rossum configure` prompts for URL, username and password; the CLI then signs in with them."""
    home = Path(tmp) / "configure-home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ROSSUM_")}
    env["HOME"] = str(home)
    answers = f"{fake.base}\n{USERNAME}\n{fake.password}\n"
    ok = True
    for profile in ([], ["-p", "staging"]):
        conf = subprocess.run([str(cli), *profile, "configure"], input=answers, env=env,
                              capture_output=True, text=True, timeout=60, start_new_session=True)
        ok &= c.check(conf.returncode == 0, f"rossum {' '.join(profile + ['configure'])} answered on stdin "
                      "writes ~/.rossum/credentials", conf.stderr.strip()[-300:])
    stored = (home / ".rossum/credentials").read_text() if (home / ".rossum/credentials").exists() else ""
    c.check(f"url = {fake.base}" in stored and stored.count(f"username = {USERNAME}") == 2
            and "[default]" in stored and "[staging]" in stored,
            "credentials file has the [default] and [staging] profiles with URL and username")
    if not ok:
        return
    logins = sum(1 for r in fake.requests if r["path"] == "/api/v1/auth/login" and r["status"] == 200)
    for profile in ([], ["-p", "staging"]):
        listed = subprocess.run([str(cli), *profile, "hook", "list"], env=env, capture_output=True,
                                text=True, timeout=60, start_new_session=True)
        ids = [str(h) for h in fake.hooks]
        c.check(listed.returncode == 0 and all(i in listed.stdout for i in ids),
                f"rossum {' '.join(profile + ['hook', 'list'])} signs in from the credentials file and "
                f"lists the {len(ids)} hooks", (listed.stdout + listed.stderr).strip()[-300:])
    logins_after = sum(1 for r in fake.requests if r["path"] == "/api/v1/auth/login" and r["status"] == 200)
    c.check(logins_after == logins + 2, "each of those commands logged in once (POST /v1/auth/login)")


def finish(c):
    print(f"{c.passed} passed, {c.failed} failed")
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main())
