#!/usr/bin/env python3
"""Signature test vectors computed with Python's hmac module, independently of our Rust code.

    python3 shared/webhook-verify/tests/vectors/generate_vectors.py          # rewrite vectors.json
    python3 shared/webhook-verify/tests/vectors/generate_vectors.py --check  # fail if it differs

Each case gives the key, the body (hex, so any bytes can be represented) and the header values
Rossum (SHA-256 and legacy SHA-1) and Inkit would send for them.
"""
import hashlib
import hmac
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

CASES = [
    ("empty body", b"rossum-development-secret", b""),
    ("rossum docs style body", b"MySecretKey", b'{"request_id":"ae7bc8dd-73bd-489b-a3d2-f5514b209591","action":"updated","event":"annotation_content"}'),
    ("utf-8 body", "kl\u00ed\u010d".encode(), '{"sender_name":"\u017dlu\u0165ou\u010dk\u00fd k\u016f\u0148 s.r.o.","amount":"1 234,50 \u20ac"}'.encode()),
    ("binary body", b"k", bytes(range(256))),
    ("key longer than the hash block", b"K" * 131, b'{"event":"document_create_finished"}'),
    ("large body", b"inkit-development-secret", b"0123456789abcdef" * 4096),
    ("trailing newline matters", b"s3cr3t", b'{"a":1}\n'),
]


def vectors():
    out = []
    for name, key, body in CASES:
        out.append({
            "name": name,
            "key": key.decode("utf-8"),
            "body_hex": body.hex(),
            "x_rossum_signature_sha256": "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest(),
            "x_elis_signature": "sha1=" + hmac.new(key, body, hashlib.sha1).hexdigest(),
            "inkit_signature": hmac.new(key, body, hashlib.sha256).hexdigest(),
        })
    return {"generated_by": "python3 shared/webhook-verify/tests/vectors/generate_vectors.py", "cases": out}


def main(argv):
    text = json.dumps(vectors(), indent=2, ensure_ascii=False) + "\n"
    target = HERE / "vectors.json"
    if "--check" in argv:
        if target.read_text(encoding="utf-8") != text:
            print(f"{target} differs from what Python's hmac computes; regenerate it", file=sys.stderr)
            return 1
        print(f"{target.name}: {len(CASES)} vectors match Python's hmac")
        return 0
    target.write_text(text, encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
