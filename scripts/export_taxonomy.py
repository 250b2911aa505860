#!/usr/bin/env python3
"""Regenerate src/piguard/taxonomy/exports/taxonomy.{json,yaml} from the Python definitions.

Run after changing anything in piguard.taxonomy:

    .venv/bin/python scripts/export_taxonomy.py          # rewrite both files
    .venv/bin/python scripts/export_taxonomy.py --check  # exit 1 if they are out of date
"""

from __future__ import annotations

import argparse
import sys

from piguard._util import atomic_write
from piguard.taxonomy import EXPORT_FORMATS, EXPORTS_DIR, render


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check, write nothing")
    args = parser.parse_args(argv)
    stale = []
    for fmt in EXPORT_FORMATS:
        path = EXPORTS_DIR / f"taxonomy.{fmt}"
        text = render(fmt)
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        stale.append(path)
        if not args.check:
            EXPORTS_DIR.mkdir(parents=True, exist_ok=True)
            with atomic_write(path) as fh:
                fh.write(text)
    for path in stale:
        verb = "out of date" if args.check else "written"
        print(f"{path}: {verb}", file=sys.stderr)
    return 1 if (args.check and stale) else 0


if __name__ == "__main__":
    sys.exit(main())
