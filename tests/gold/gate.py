"""The outside gold sets' CI gate: `netqa eval --corpus tests/gold/SET/docs` on each half of each set (the built-in
article where a set has no docs/), with the bars of gates.json (the levels reached when they were last raised).
`--measure` prints the levels instead.

    python tests/gold/gate.py            # exit 1 if any set falls below its bars
    python tests/gold/gate.py --measure  # the levels now, as gates.json would hold them
"""

from __future__ import annotations

import argparse
import json
import math
import re
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
GATES = HERE / "gates.json"
MEASURES = ("answer", "citation", "abstain", "document")  # as `netqa eval --min-...` names them
_ROW = re.compile(r"^all\s+\d+\s+(.*)$")


def netqa() -> str:
    beside = Path(sys.executable).with_name("netqa")
    found = str(beside) if beside.exists() else shutil.which("netqa")
    if not found:
        sys.exit("gate: the netqa command is not installed (pip install -e .)")
    return found


def levels(set_name: str, half: str) -> dict[str, float]:
    """The overall rates of one half of a set, read from `netqa eval`'s table."""
    folder = HERE / set_name
    gold = folder / f"{set_name}-{half}.jsonl"
    corpus = ["--corpus", str(folder / "docs")] if (folder / "docs").is_dir() else []  # none: the built-in article
    result = subprocess.run([netqa(), "eval", *corpus, str(gold)], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.exit(f"gate: netqa eval failed on {set_name}-{half}: {result.stderr.strip()}")
    tables = result.stdout.split("\n\n")
    table = next(t for t in tables if t.startswith("category") and " answer " in t.splitlines()[0])
    head = table.splitlines()[0].split()[2:]
    row = next(line for line in table.splitlines() if line.startswith("all "))
    cells = _ROW.match(row).group(1).split()  # type: ignore[union-attr]
    values = dict(zip(head, cells, strict=False))
    return {m: float(values[m].rstrip("%")) / 100 for m in MEASURES if values.get(m, "-") != "-"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--measure", action="store_true", help="print the levels reached, as gates.json holds them")
    args = parser.parse_args()
    gates = json.loads(GATES.read_text(encoding="utf-8"))
    measured, failed = {}, []
    for set_name, halves in gates.items():
        for half, bars in halves.items():
            reached = levels(set_name, half)
            # Floored to a tenth of a percent, so a bar set from these figures is met by the same run.
            measured.setdefault(set_name, {})[half] = {m: math.floor(v * 1000) / 1000 for m, v in reached.items()}
            line = "  ".join(f"{m} {reached.get(m, 0):.1%} (bar {bars.get(m, 0):.1%})" for m in MEASURES)
            print(f"{set_name + '-' + half:<16} {line}")
            failed += [f"{set_name}-{half} {m} {reached.get(m, 0):.1%} < {bar:.1%}"
                       for m, bar in bars.items() if reached.get(m, 0) + 1e-9 < bar]
    if args.measure:
        print(json.dumps(measured, indent=1))
        return 0
    for line in failed:
        print(f"gate: below the bar: {line}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
