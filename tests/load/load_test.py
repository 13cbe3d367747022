#!/usr/bin/env python3
"""Load test: sustained concurrent signed deliveries on every route of the local server, backed
by DynamoDB Local, then every stored record accounted for.

    python3 tests/load/load_test.py [--seconds 60] [--workers 16] [--report FILE]
                                    [--server target/release/local-server]

Uses $DYNAMODB_ENDPOINT when set, else starts (and stops) its own DynamoDB Local through
scripts/dynamodb-local. Creates its own records and master-data tables (the sample vendors,
imported with vendor-import from the server's directory) and drops them at the end.

Each worker thread keeps one HTTP/1.1 connection open and sends, until the time is up, new
deliveries (every route in turn, fresh ids each) and, --duplicates of the time, a delivery sent
before: half of them one of the last few (often still in flight: a concurrent duplicate), half
any earlier one. Without INKIT_API_TOKEN the server records Inkit events without fetching
document details, so nothing leaves the machine.

Expected answers: 200; and 429 with Retry-After for a delivery of which another copy was sent
(a concurrent duplicate held by the idempotency layer). Anything else is an error: another
status, a 429 without Retry-After or for a delivery sent once, a dropped connection, or a 200
whose body is not the function's answer. Afterwards the records table is scanned: every
accepted delivery's records are there exactly once and complete (a duplicate added nothing),
and there is nothing else (items whose pk starts with IDEMPOTENCY# are counted apart). What
each function answers and stores is its events/payloads/<function>.expect.json.

Prints a markdown report (requests, req/s, errors by status, latency p50/p90/p99/max per route
and overall), also written to --report FILE; exits non-zero on any error or unaccounted record.
"""
import argparse
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict, deque
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "faults"))
import local_stack as stack  # noqa: E402 - shared with the fault tests

FUNCTIONS = list(stack.ROUTES)
# The sample master data, which the expected answers' vendor matches come from.
SAMPLE_VENDORS = stack.ROOT / "events" / "master-data" / "vendors.csv"
# How many of the latest deliveries a "recent" duplicate is picked from.
RECENT = 16


@dataclass
class Sent:
    """One request and its answer."""
    function: str
    number: int
    duplicate: bool
    started: float
    status: int
    seconds: float
    retry_after: str | None
    first_answer: bool  # a 200 whose body is a first delivery's answer
    redelivery_answer: bool  # a 200 whose body is an answer to a redelivery
    error: str


class Load:
    def __init__(self, server, deliveries, args):
        self.server, self.deliveries, self.args = server, deliveries, args
        self.lock = threading.Lock()
        self.results = []
        self.history = []  # (function, number) of every new delivery, in the order sent
        self.recent = deque(maxlen=RECENT)
        self.copies = Counter()  # (function, number) -> copies sent
        self.next_function = 0
        self.started = self.finished = None

    def pick(self, rng):
        """The next request: (function, number, is a duplicate), or None when the run is over."""
        with self.lock:
            if len(self.results) + self.in_flight >= self.args.max_requests:
                return None
            self.in_flight += 1
            if self.history and rng.random() < self.args.duplicates:
                function, number = rng.choice(self.recent if rng.random() < 0.5 else self.history)
                self.copies[(function, number)] += 1
                return function, number, True
            function = FUNCTIONS[self.next_function % len(FUNCTIONS)]
            self.next_function += 1
            number = self.deliveries.next_number()
            self.history.append((function, number))
            self.recent.append((function, number))
            self.copies[(function, number)] += 1
            return function, number, False

    def worker(self, seed):
        rng = random.Random(seed)
        client = stack.Client(self.server.host, self.server.port, timeout=self.args.request_timeout)
        while time.monotonic() < self.deadline and (picked := self.pick(rng)) is not None:
            function, number, duplicate = picked
            delivery = self.deliveries.delivery(function, number)
            started = time.monotonic()
            answer = client.send(delivery)
            ok = answer.status == 200
            sent = Sent(function, number, duplicate, started, answer.status, answer.seconds, answer.retry_after,
                        ok and stack.answer_ok(function, answer.body),
                        ok and stack.answer_ok(function, answer.body, redelivery=True), answer.error)
            with self.lock:
                self.in_flight -= 1
                self.results.append(sent)
        client.close()

    def run(self):
        self.in_flight = 0
        self.started = time.monotonic()
        self.deadline = self.started + self.args.seconds
        threads = [threading.Thread(target=self.worker, args=(seed,)) for seed in range(self.args.workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.finished = time.monotonic()


def classify(load):
    """Every request as 'ok', 'expected 429' or an error, by (function, number)."""
    outcome = []
    for sent in load.results:
        # Whichever copy of a delivery sent more than once is handled first is the first.
        several = load.copies[(sent.function, sent.number)] > 1
        if sent.first_answer or (several and sent.redelivery_answer):
            outcome.append((sent, "ok"))
        elif sent.status == 429 and sent.retry_after and several:
            outcome.append((sent, "expected 429"))
        elif sent.status == 200:
            outcome.append((sent, "error: unexpected 200 body"))
        elif sent.status == 0:
            outcome.append((sent, f"error: no answer ({sent.error.split(':')[0]})"))
        else:
            outcome.append((sent, f"error: {sent.status}"))
    return outcome


def verify(load, outcome, dynamodb, table):
    """Problems with the stored records: each accepted writing delivery exactly once and
    complete, no other partition; and the count of IDEMPOTENCY# items."""
    accepted = {(s.function, s.number) for s, kind in outcome if kind == "ok"}
    attempted = {(s.function, s.number) for s, _ in outcome}
    ledger, unaccepted_pks = {}, set()
    for function, number in attempted:
        delivery = load.deliveries.delivery(function, number)
        if not delivery.writes:
            continue
        if (function, number) in accepted:
            ledger[delivery.pk] = [delivery]
        else:
            unaccepted_pks.add(delivery.pk)
    partitions, idempotency = stack.by_partition(dynamodb.scan(table))
    # What a delivery no copy of which was accepted left behind is its error, not an extra.
    for pk in unaccepted_pks:
        partitions.pop(pk, None)
    problems = stack.ledger_problems(ledger, partitions)
    problems += stack.consistency_problems(partitions)
    return problems, len(ledger), sum(map(len, partitions.values())), len(idempotency)


def concurrent_copies(outcome):
    """How many duplicates were sent while another copy of the same delivery was unanswered."""
    copies = defaultdict(list)
    for sent, _ in outcome:
        copies[(sent.function, sent.number)].append((sent.started, sent.started + sent.seconds, sent.duplicate))
    return sum(1 for spans in copies.values() for start, _, duplicate in spans
               if duplicate and any(s < start < end for s, end, _ in spans))


def milliseconds(values, fraction):
    return f"{stack.percentile(values, fraction) * 1000:.1f}"


def report(load, outcome, verification, args):
    elapsed = load.finished - load.started
    lines = [f"## Load test: {args.workers} workers, {elapsed:.1f} s, local server {args.server_path}", ""]
    lines += ["| route | requests | duplicates | req/s | 200 | expected 429 | errors | p50 ms | p90 ms | p99 ms | max ms |",
              "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    by_route = defaultdict(list)
    for sent, kind in outcome:
        by_route[stack.ROUTES[sent.function]].append((sent, kind))
    for route, rows in sorted(by_route.items()) + [("**all**", outcome)]:
        latencies = sorted(s.seconds for s, _ in rows)
        lines.append(
            f"| {route} | {len(rows)} | {sum(s.duplicate for s, _ in rows)} | {len(rows) / elapsed:.1f} "
            f"| {sum(s.status == 200 for s, _ in rows)} | {sum(k == 'expected 429' for _, k in rows)} "
            f"| {sum(k.startswith('error') for _, k in rows)} | {milliseconds(latencies, 0.5)} "
            f"| {milliseconds(latencies, 0.9)} | {milliseconds(latencies, 0.99)} | {milliseconds(latencies, 1.0)} |")
    kinds = Counter(kind for _, kind in outcome)
    lines += ["", "| answer | count |", "|---|---:|"]
    lines += [f"| {kind} | {count} |" for kind, count in sorted(kinds.items())]
    problems, deliveries, items, idempotency = verification
    lines += ["", f"Duplicates: {sum(s.duplicate for s, _ in outcome)} resent deliveries, "
                  f"{concurrent_copies(outcome)} of them sent while another copy was in flight."]
    lines += ["", f"Records: {deliveries} accepted writing deliveries, {items} record items, "
                  f"{idempotency} IDEMPOTENCY# items; "
                  + ("every delivery stored exactly once, complete, nothing else."
                     if not problems else f"{len(problems)} problems, e.g. {problems[:3]}")]
    return "\n".join(lines) + "\n"


def import_vendors(server_path, endpoint, table):
    """The sample master data into `table`, with the project's own vendor-import."""
    importer = Path(server_path).with_name("vendor-import")
    result = subprocess.run([str(importer), str(SAMPLE_VENDORS), "--table", table, "--dynamodb-endpoint",
                             endpoint, "--create-table"], capture_output=True, text=True,
                            env=stack.clean_environment(), timeout=120)
    if result.returncode != 0:
        raise RuntimeError(f"vendor-import failed: {result.stderr.strip()[-500:]}")


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60, help="how long to send (default 60)")
    parser.add_argument("--workers", type=int, default=16, help="concurrent connections (default 16)")
    parser.add_argument("--duplicates", type=float, default=0.15,
                        help="share of requests that resend an earlier delivery (default 0.15)")
    parser.add_argument("--max-requests", type=int, default=200_000, help="stop after this many (default 200000)")
    parser.add_argument("--request-timeout", type=float, default=30, help="seconds per request (default 30)")
    parser.add_argument("--report", help="also write the markdown report to this file")
    parser.add_argument("--server", help="local-server binary (default: target/release, else target/debug); "
                                         "vendor-import is taken from the same directory")
    args = parser.parse_args(argv)
    args.server_path = str(args.server or stack.default_binary("local-server"))
    # Bounded: sending, plus generous time for start-up and the final scan.
    signal.signal(signal.SIGALRM, stack.out_of_time)
    signal.alarm(int(args.seconds) + 600)

    run_id = f"load{os.getpid()}t{int(time.time())}"
    records_table, vendor_table = f"{run_id}-records", f"{run_id}-vendors"
    own_endpoint = not os.environ.get("DYNAMODB_ENDPOINT", "").strip()
    endpoint = os.environ.get("DYNAMODB_ENDPOINT", "").strip() or None
    server = dynamodb = None
    failed = True
    try:
        if own_endpoint:
            endpoint = stack.start_dynamodb_local()
        dynamodb = stack.DynamoDb(endpoint)
        import_vendors(args.server_path, endpoint, vendor_table)
        server = stack.LocalServer(args.server_path, endpoint, records_table, vendor_table)
        print(f"DynamoDB Local {endpoint}; {args.workers} workers for {args.seconds:g} s against {server.base}",
              flush=True)
        load = Load(server, stack.Deliveries(run_id), args)
        load.run()
        outcome = classify(load)
        verification = verify(load, outcome, dynamodb, records_table)
        text = report(load, outcome, verification, args)
        print(text)
        if args.report:
            Path(args.report).write_text(text)
        errors = sum(kind.startswith("error") for _, kind in outcome)
        problems = verification[0]
        for problem in problems[:20]:
            print(f"FAIL {problem}")
        for sent, kind in [pair for pair in outcome if pair[1].startswith("error")][:10]:
            print(f"FAIL {kind}: {sent.function} #{sent.number} (duplicate: {sent.duplicate})")
        checks = [("requests answered as expected", errors == 0), ("records accounted for", not problems),
                  ("every route was exercised", {s.function for s, _ in outcome} == set(FUNCTIONS))]
        for name, ok in checks:
            print(f"{'ok  ' if ok else 'FAIL'} {name}")
        passed = sum(ok for _, ok in checks)
        print(f"{passed} passed, {len(checks) - passed} failed")
        failed = passed != len(checks)
    except Exception as error:  # noqa: BLE001 - reported as a failure, with cleanup
        print(f"FAIL the load test ran to its end: {type(error).__name__}: {error}")
        if server is not None:
            print("last lines of the local server's log:\n  " + "\n  ".join(list(server.log)[-30:]))
        print("0 passed, 1 failed")
    finally:
        signal.alarm(0)
        if server is not None:
            server.stop()
        if dynamodb is not None and not own_endpoint:
            for table in (records_table, vendor_table):
                try:
                    dynamodb.delete_table(table)
                except (RuntimeError, OSError):
                    pass  # not created
        if own_endpoint and endpoint:
            stack.stop_dynamodb_local(endpoint)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
