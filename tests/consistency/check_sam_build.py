#!/usr/bin/env python3
"""Checks the output of `sam build`: every AWS::Serverless::Function of template.yaml has a
`bootstrap` in <build dir>/<LogicalId>/ that is an executable ELF for ARM aarch64 (the
template's arm64), and the built template points each function at its own directory.

    python3 tests/consistency/check_sam_build.py .aws-sam/build

Prints each bootstrap's size, then 'N passed, N failed'; exits non-zero on any failure.
"""
import os
import struct
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from check_wiring import template_functions  # noqa: E402

EM_AARCH64 = 183


def elf_machine(path):
    """The ELF e_machine field, or None when the file is not a 64-bit little-endian ELF."""
    with open(path, "rb") as f:
        header = f.read(20)
    if len(header) < 20 or header[:4] != b"\x7fELF" or header[4] != 2 or header[5] != 1:
        return None
    return struct.unpack_from("<H", header, 18)[0]


def main():
    build = Path(sys.argv[1] if len(sys.argv) > 1 else ".aws-sam/build")
    passed, failed = 0, 0
    built_template_path = build / "template.yaml"
    if not built_template_path.is_file():
        print(f"FAIL no {built_template_path}: sam build did not finish")
        return 1
    built_template = built_template_path.read_text()
    for binary, function in sorted(template_functions().items()):
        resource = function["resource"]
        bootstrap = build / resource / "bootstrap"
        problems = []
        if not bootstrap.is_file():
            problems.append(f"no {bootstrap}")
        else:
            if elf_machine(bootstrap) != EM_AARCH64:
                problems.append("not an ARM aarch64 ELF executable")
            if not os.access(bootstrap, os.X_OK):
                problems.append("not executable")
            if f"CodeUri: {resource}\n" not in built_template:
                problems.append(f"the built template does not point {resource} at its directory")
        if problems:
            failed += 1
            print(f"FAIL {binary} ({resource}): {'; '.join(problems)}")
        else:
            passed += 1
            size = bootstrap.stat().st_size
            print(f"ok   {binary}: {bootstrap} ({size / 1e6:.1f} MB, aarch64)")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
