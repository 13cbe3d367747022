#!/usr/bin/env python3
"""Fault test: the records table (DynamoDB) goes away in the middle of a stream of deliveries.

    python3 tests/faults/dynamodb_outage.py [--server target/release/local-server]

Starts its own DynamoDB Local and the local server against it through a loopback TCP relay
(local_stack.Relay: DynamoDB Local itself keeps running, see there why), then:

1. sends one delivery of every writing function (a text large enough to be stored in parts
   among them): each answers 200 and is stored exactly once;
2. sends a stream of new deliveries from several connections and cuts the link to DynamoDB
   Local in the middle of it (every open connection reset, new ones refused): every answer is
   200 or 503 with Retry-After, within a bounded time, and every delivery sent once it is down
   answers 503;
3. opens the link again on the same port: nothing is half-written (a text
   without all its parts, content without its delivery key, a status history without its
   latest status, an Inkit event without its document), every delivery answered 200 is stored
   whole, none sent while it was down is stored at all;
4. resends exactly the deliveries that got 503: each answers 200, and then every delivery's
   records are in the table exactly once, complete, with nothing else there.

What each function answers and stores is its events/payloads/<function>.expect.json.

Prints each check, then 'N passed, N failed'; exits non-zero on any failure. Needs Java 17+
(scripts/dynamodb-local installs DynamoDB Local itself) and a built local-server.
"""
import argparse
import signal
import sys
import threading
import time
from collections import Counter, defaultdict

import local_stack as stack

# Every function that needs the records table (the upload triage for its idempotency records).
WRITING_FUNCTIONS = [f for f in stack.ROUTES if stack.EXPECT[f]["needs_records_table"]]
# Gzipped random letters at about 0.75 bytes each: three or more 300 KB parts.
LARGE_TEXT_BYTES = 1_300_000
# Stream deliveries answered 200 before the link to DynamoDB Local is cut.
ANSWERED_BEFORE_STOP = 24
# Whole sets each connection sends once DynamoDB Local is down.
SETS_WHILE_DOWN = 2
MAX_SETS = 120
CONNECTIONS = 4


class Checks:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, name, ok, detail=""):
        print(f"{'ok  ' if ok else 'FAIL'} {name}{': ' + detail if detail and not ok else ''}", flush=True)
        self.passed, self.failed = self.passed + bool(ok), self.failed + (not ok)
        return ok

    def info(self, text):
        print(f"     {text}", flush=True)


def delivery_chains():
    """The functions of one delivery set, by partition: every writing function after the ones
    its expectation sends it after ("sent_after"), on a partition of its own; a sequence that
    begins a longer one is sent only as part of it. With today's expectations (events/payloads):
    a contract.fit document's text, split, predict and evaluate, a predict then a delete of
    another, an Inkit document created then deleted, one whose creation failed, and a Rossum
    export, status change, email and upload (which stores only its idempotency record)."""
    chains = [(*stack.EXPECT[f]["sent_after"], f) for f in WRITING_FUNCTIONS]
    return [c for c in chains if not any(len(o) > len(c) and o[:len(c)] == c for o in chains)]


CHAINS = delivery_chains()


def delivery_set(deliveries, large_text):
    """One delivery of every writing function (some twice, to begin another's partition); a
    function with a "large_field" gets `large_text` there, its number first, so that no two
    are the same text."""
    sent = []
    for chain in CHAINS:
        number = deliveries.next_number()
        for function in chain:
            large = f"{number}\n{large_text}" if stack.EXPECT[function]["large_field"] else None
            sent.append(deliveries.delivery(function, number, large))
    return sent


def first_answer_ok(delivery, answer):
    """Whether a 200 is the answer to a first delivery of its kind."""
    return stack.answer_ok(delivery.function, answer.body)


def cleared_later(delivery, started, sent, items_of):
    """Whether a partition-clearing delivery sent after `delivery` to its partition left its
    item there: what `delivery` stored is then rightly gone."""
    return any(later.writes and later.records["clears_partition"] and later.pk == delivery.pk
               and later_started > started and stack.own_items(later, items_of(later))
               for later, _, later_started, _ in sent)


class Stream:
    """Sets of new deliveries sent from several connections while the link to DynamoDB Local is cut."""

    def __init__(self, server, deliveries, large_text, relay):
        self.server, self.deliveries, self.large_text = server, deliveries, large_text
        self.relay = relay
        self.lock = threading.Lock()
        self.sent = []  # (delivery, answer, started, finished), in the order they finished
        self.sets = 0
        self.down = threading.Event()
        self.stop_started = self.stop_finished = None

    def run(self):
        threads = [threading.Thread(target=self.connection) for _ in range(CONNECTIONS)]
        stopper = threading.Thread(target=self.cut_link)
        for thread in threads + [stopper]:
            thread.start()
        for thread in threads + [stopper]:
            thread.join()

    def next_set(self, sets_while_down):
        with self.lock:
            if sets_while_down >= SETS_WHILE_DOWN or self.sets >= MAX_SETS:
                return None
            self.sets += 1
        return delivery_set(self.deliveries, self.large_text)

    def connection(self):
        client = stack.Client(self.server.host, self.server.port)
        sets_while_down = 0
        while (deliveries := self.next_set(sets_while_down)) is not None:
            sets_while_down += self.down.is_set()
            for delivery in deliveries:
                started = time.monotonic()
                answer = client.send(delivery)
                with self.lock:
                    self.sent.append((delivery, answer, started, time.monotonic()))
        client.close()

    def cut_link(self):
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with self.lock:
                answered = sum(answer.status == 200 for _, answer, _, _ in self.sent)
                if answered >= ANSWERED_BEFORE_STOP or self.sets >= MAX_SETS:
                    break
            time.sleep(0.01)
        self.stop_started = time.monotonic()
        self.relay.cut()
        self.stop_finished = time.monotonic()
        self.down.set()


def scan(dynamodb, table):
    return stack.by_partition(dynamodb.scan(table))


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", help="local-server binary (default: target/release, else target/debug)")
    parser.add_argument("--answer-bound", type=float, default=30.0,
                        help="seconds any single answer may take (default 30)")
    parser.add_argument("--timeout", type=int, default=600, help="seconds the whole test may take (default 600)")
    args = parser.parse_args(argv)
    binary = args.server or stack.default_binary("local-server")
    # The whole test is bounded: past the limit it fails (cleanup still runs).
    signal.signal(signal.SIGALRM, stack.out_of_time)
    signal.alarm(args.timeout)

    checks = Checks()
    endpoint = relay = server = None
    try:
        endpoint = stack.start_dynamodb_local()
        relay = stack.Relay(int(endpoint.rsplit(":", 1)[1]))
        print(f"DynamoDB Local {endpoint}, through {relay.endpoint}; local-server {binary}", flush=True)
        table = "records"
        server = stack.LocalServer(binary, relay.endpoint, table)
        dynamodb = stack.DynamoDb(endpoint)
        deliveries = stack.Deliveries(f"outage{int(time.time())}")
        large_text = stack.large_text(LARGE_TEXT_BYTES)
        run(checks, args, server, dynamodb, relay, table, deliveries, large_text)
    except Exception as error:  # noqa: BLE001 - any crash is a failed check, with cleanup
        checks.check("the test ran to its end", False, f"{type(error).__name__}: {error}")
        if server is not None:
            print("last lines of the local server's log:\n  " + "\n  ".join(list(server.log)[-30:]))
    finally:
        signal.alarm(0)
        if server is not None:
            server.stop()
        if relay is not None:
            relay.close()
        if endpoint is not None:
            stack.stop_dynamodb_local(endpoint)
    print(f"{checks.passed} passed, {checks.failed} failed")
    return 0 if checks.failed == 0 else 1


def run(checks, args, server, dynamodb, relay, table, deliveries, large_text):
    ledger = defaultdict(list)  # partition key -> the deliveries that must end up stored there

    print("\n-- 1. every writing function, DynamoDB Local up")
    client = stack.Client(server.host, server.port)
    first = delivery_set(deliveries, large_text)
    for delivery in first:
        answer = client.send(delivery)
        checks.check(f"{delivery.function} answers 200 as a first delivery",
                     answer.status == 200 and first_answer_ok(delivery, answer),
                     f"{answer.status} {answer.body} {answer.error}")
        if delivery.writes:
            ledger[delivery.pk].append(delivery)
    client.close()
    partitions, _ = scan(dynamodb, table)
    problems = stack.ledger_problems(ledger, partitions)
    checks.check("each is stored exactly once, complete, nothing else in the table", not problems, "; ".join(problems[:5]))
    large = [d for d in first if stack.EXPECT[d.function]["large_field"]]
    checks.check("the set has a delivery with a large text", bool(large))
    for delivery in large:
        items = {item["sk"]: item for item in partitions.get(delivery.pk, [])}
        parts = stack.parts_of(delivery, items)
        checks.check(f"the {LARGE_TEXT_BYTES} byte text of {delivery.function} is stored in several parts",
                     len(parts) >= 2, f"{len(parts)} parts")

    print(f"\n-- 2. a stream of new deliveries on {CONNECTIONS} connections; the link to DynamoDB Local cut in the middle")
    stream = Stream(server, deliveries, large_text, relay)
    stream.run()
    sent = stream.sent
    statuses = Counter(answer.status for _, answer, _, _ in sent)
    checks.info(f"{len(sent)} deliveries in {stream.sets} sets; answers {dict(sorted(statuses.items()))}; "
                f"cutting took {stream.stop_finished - stream.stop_started:.1f} s")
    overlapping = [a.status for _, a, started, finished in sent
                   if started < stream.stop_finished and finished > stream.stop_started]
    checks.info(f"in flight while the link was cut: {len(overlapping)} ({dict(Counter(overlapping))})")
    unexpected = [(d.function, a.status, a.error or a.body) for d, a, _, _ in sent if a.status not in (200, 503)]
    checks.check("every answer is 200 or 503 (no 4xx, no other 5xx, no dropped connection)", not unexpected,
                 f"{len(unexpected)}: {unexpected[:3]}")
    answered_503 = [(d, a) for d, a, _, _ in sent if a.status == 503]
    bad_503 = [(d.function, a.retry_after, a.body.get("error")) for d, a in answered_503
               if not a.retry_after or a.body.get("error") != "temporarily_unavailable"]
    checks.check("every 503 has Retry-After and error temporarily_unavailable", not bad_503, str(bad_503[:3]))
    slowest = max((a.seconds for _, a, _, _ in sent), default=0.0)
    checks.check(f"every answer came within {args.answer_bound:.0f} s (slowest {slowest:.2f} s)",
                 slowest <= args.answer_bound)
    while_down = [(d, a) for d, a, started, _ in sent if started >= stream.stop_finished]
    checks.check("every delivery sent while DynamoDB Local was down answered 503",
                 while_down and all(a.status == 503 for _, a in while_down),
                 f"{Counter(a.status for _, a in while_down)}")
    covered = {d.function for d, _ in while_down}
    checks.check("that is every writing function", covered == set(WRITING_FUNCTIONS),
                 f"missing {set(WRITING_FUNCTIONS) - covered}")
    before = [a for d, a, _, finished in sent if finished <= stream.stop_started]
    checks.check("deliveries before the stop answered 200", before and all(a.status == 200 for a in before),
                 f"{Counter(a.status for a in before)}")
    wrong_200 = [(d.function, a.body) for d, a, _, _ in sent if a.status == 200 and not first_answer_ok(d, a)]
    checks.check("every 200 in the stream is a first delivery's answer", not wrong_200, str(wrong_200[:3]))

    print("\n-- 3. the link to DynamoDB Local open again")
    endpoint = relay.endpoint
    checks.check("same endpoint", relay.reopen() == endpoint, relay.endpoint)
    partitions, _ = scan(dynamodb, table)
    problems = stack.consistency_problems(partitions)
    checks.check("nothing is half-written", not problems, "; ".join(problems[:5]))

    def items_of(delivery):
        return {item["sk"]: item for item in partitions.get(delivery.pk, [])}

    incomplete = [d.function for d, a, started, _ in sent if a.status == 200
                  and not stack.write_complete(d, items_of(d)) and not cleared_later(d, started, sent, items_of)]
    checks.check("every delivery answered 200 survived the outage whole", not incomplete, str(incomplete[:5]))
    stored_while_down = [d.function for d, _ in while_down if stack.own_items(d, items_of(d))]
    checks.check("no delivery sent while DynamoDB Local was down is stored", not stored_while_down,
                 str(stored_while_down[:5]))
    in_flight = [d for d, a in answered_503 if stack.own_items(d, items_of(d))]
    checks.info(f"503 deliveries in flight at the stop and stored anyway (their resend is a duplicate): {len(in_flight)}")
    checks.info(f"parts left by an interrupted write, before the resend: {len(stack.orphan_parts(partitions))}")

    print(f"\n-- 4. the {len(answered_503)} deliveries that got 503 sent again")
    client = stack.Client(server.host, server.port)
    resent, waited, told = [], 0, Counter()
    deadline = time.monotonic() + 120
    for delivery, _ in sorted(answered_503, key=lambda pair: order_in(sent, pair[0])):
        answer = client.send(delivery)
        # An answer telling to wait (429 while another attempt holds the delivery) is obeyed.
        while answer.status in (429, 503) and answer.retry_after and time.monotonic() < deadline:
            waited += 1
            told[(answer.status, answer.retry_after, answer.body.get("error"))] += 1
            time.sleep(min(float(answer.retry_after), 10))
            answer = client.send(delivery)
        resent.append((delivery, answer))
    client.close()
    not_200 = [(d.function, a.status, a.body) for d, a in resent if a.status != 200]
    checks.check("every resent delivery answers 200", not not_200, f"{len(not_200)}: {not_200[:3]}")
    checks.info(f"resends told to wait first: {waited} {dict(told)}; resending took {time.monotonic() - deadline + 120:.1f} s")

    for delivery, answer, _, _ in sent:
        if delivery.writes:
            ledger[delivery.pk].append(delivery)
    partitions, idempotency = scan(dynamodb, table)
    problems = stack.ledger_problems(ledger, partitions)
    checks.check(f"all {sum(map(len, ledger.values()))} deliveries stored exactly once, complete, "
                 "nothing else in the table", not problems, "; ".join(problems[:5]))
    problems = stack.consistency_problems(partitions)
    checks.check("nothing half-written", not problems, "; ".join(problems[:5]))
    orphans = stack.orphan_parts(partitions)
    checks.check("no part without its item", not orphans, str(orphans[:3]))
    item_count = sum(map(len, partitions.values()))
    checks.info(f"{item_count} record items in {len(partitions)} partitions; {len(idempotency)} IDEMPOTENCY# items")


def order_in(sent, delivery):
    """Position of `delivery` among the stream's deliveries by the time it was sent."""
    return next(started for d, _, started, _ in sent if d is delivery)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
