"""The committed contract file, generated from the sandbox app.

python -m posapp.sandbox.contract --write   # regenerate posapp/contract/openapi-v1.json
python -m posapp.sandbox.contract --check   # exit 1 if the committed file has drifted
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Sequence

from posapp.sandbox.app import CONTRACT_PATH, build_openapi, create_app
from posapp.sandbox.store import SandboxStore


def render_contract() -> str:
    """The contract text: the app's OpenAPI document, sorted keys, indent 2, trailing newline."""
    with tempfile.TemporaryDirectory(prefix="posapp-contract-") as tmp:
        store = SandboxStore(tmp, fresh=True)
        try:
            document = build_openapi(create_app(store))
        finally:
            store.close()
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m posapp.sandbox.contract")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--write", action="store_true", help="rewrite the committed contract file")
    group.add_argument("--check", action="store_true", help="fail if the committed file differs")
    args = parser.parse_args(argv)
    text = render_contract()
    if args.write:
        CONTRACT_PATH.parent.mkdir(parents=True, exist_ok=True)
        CONTRACT_PATH.write_text(text, encoding="utf-8")
        print(f"wrote {CONTRACT_PATH}")
        return 0
    if args.check:
        current = CONTRACT_PATH.read_text(encoding="utf-8") if CONTRACT_PATH.exists() else ""
        if current != text:
            print(f"{CONTRACT_PATH} is out of date: run with --write", file=sys.stderr)
            return 1
        print("contract up to date")
        return 0
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
