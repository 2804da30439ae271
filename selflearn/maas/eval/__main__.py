"""Run the LoCoMo evaluation: `python -m selflearn.maas.eval FILE... [--k 5 10 25]`."""

from __future__ import annotations

import argparse
import json
import sys

from selflearn.errors import SelflearnError
from selflearn.maas.eval._locomo import REPLY_CONTEXT_CHARS, evaluate_locomo


def main(argv: list[str] | None = None) -> int:
    """Evaluate the files given on the command line and print the report as JSON."""
    parser = argparse.ArgumentParser(prog="python -m selflearn.maas.eval", description=__doc__)
    parser.add_argument("files", nargs="+", help="LoCoMo conversation files (JSON)")
    parser.add_argument("--k", type=int, nargs="+", default=[5, 10, 25], help="recall ranks")
    parser.add_argument(
        "--param", action="append", default=[], metavar="NAME=VALUE",
        help="impact-factor override, e.g. retrieval.relevance_weight=0.2 (JSON value)",
    )  # fmt: skip
    parser.add_argument("--version-id", default=None, help="parameter version to evaluate")
    parser.add_argument("--reply-context-chars", type=int, default=REPLY_CONTEXT_CHARS)
    args = parser.parse_args(argv)
    params = None
    if args.param:
        params = {}
        for item in args.param:
            name, _, raw = item.partition("=")
            try:
                params[name] = json.loads(raw)
            except json.JSONDecodeError:
                params[name] = raw
    try:
        report = evaluate_locomo(
            args.files,
            ks=args.k,
            params=params,
            version_id=args.version_id,
            progress=lambda line: print(line, file=sys.stderr),  # noqa: T201
            reply_context_chars=args.reply_context_chars,
        )
    except SelflearnError as error:
        print(f"error: {error}\nhint: {error.hint}", file=sys.stderr)  # noqa: T201
        return 2
    print(json.dumps(report.to_json(), indent=2))  # noqa: T201
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
