"""Debian package records (`apt-cache dumpavail`) -> benchmark corpus folders and rule-made question sets."""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
SIZES = (6_000, 60_000)
QUESTIONS = 2_000
SEED = 20240601
MAX_DEPENDS = 8  # enough names to make a realistic, noisy second paragraph


@dataclass(frozen=True)
class Package:
    name: str
    summary: str  # the one-line Description
    section: str
    tags: tuple[str, ...]
    depends: tuple[str, ...]
    homepage: str
    source: str


def dumpavail() -> str:
    try:
        return subprocess.run(["apt-cache", "dumpavail"], check=True, capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        sys.exit(f"debian_corpus: `apt-cache dumpavail` failed ({exc}); run `apt-get update` first")


def parse(text: str) -> list[Package]:
    """One Package per name (the first record wins; later versions and architectures repeat it)."""
    packages: dict[str, Package] = {}
    for record in text.split("\n\n"):
        fields: dict[str, str] = {}
        key = None
        for line in record.splitlines():
            if line[:1] in (" ", "\t") and key:
                fields[key] += " " + line.strip()
            elif ":" in line:
                key, _, value = line.partition(":")
                fields[key] = value.strip()
        name, summary = fields.get("Package"), fields.get("Description", "").strip()
        if not name or not summary or name in packages:
            continue
        depends = tuple(dict.fromkeys(
            re.split(r"[\s(:]", alt.strip())[0] for dep in fields.get("Depends", "").split(",")
            for alt in dep.split("|")[:1] if alt.strip()))
        tags = tuple(t.strip().replace("::", " ").replace("-", " ")
                     for t in fields.get("Tag", "").split(",") if t.strip())
        packages[name] = Package(name, summary, fields.get("Section", "misc"), tags,
                                 depends[:MAX_DEPENDS], fields.get("Homepage", ""),
                                 fields.get("Source", name).split()[0])
    return list(packages.values())


def document(p: Package) -> str:
    """A markdown page: the package name as title, the summary as one sentence, then the facts."""
    summary = p.summary[0].upper() + p.summary[1:]
    facts = [f"It is in the {p.section} section and built from the {p.source} source package."]
    if p.tags:
        facts.append(f"Its tags are {', '.join(p.tags)}.")
    if p.depends:
        facts.append(f"It depends on {', '.join(p.depends)}.")
    if p.homepage:
        facts.append(f"Its home page is {p.homepage} .")
    return f"# {p.name}\n\n{summary.rstrip('.')}.\n\n{' '.join(facts)}\n"


def _slug(name: str) -> str:
    """netqa's document id for a file stem (corpus._slug). netqa now numbers ids that slug alike ("foo-bar",
    "foo-bar-2"), but such packages are still left out, so the corpus stays the one the published figures used."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "document"


def question_text(p: Package) -> str | None:
    """"Which package provides <summary without the package's own name>?", or None if too little is left.

    The name (and its parts, e.g. "foo" of "python3-foo") is removed: a question that names
    the package is a lookup of the title, not retrieval.
    """
    parts = {p.name.lower(), p.source.lower()} | {
        part for part in re.split(r"[-+.]", p.name.lower()) if len(part) >= 3}
    kept = [w for w in p.summary.split() if re.sub(r"\W", "", w.lower()) not in parts
            and not any(part in w.lower() for part in parts if len(part) >= 5)]
    content = [w for w in kept if len(re.sub(r"\W", "", w)) >= 3]
    if len(content) < 3:
        return None
    text = " ".join(kept).rstrip(".")
    if not text[1:2].isupper():  # "GNU Fortran" keeps its capitals
        text = text[0].lower() + text[1:]
    return f"Which package provides {text}?"


def write_corpus(packages: list[Package], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.md"):
        old.unlink()
    for p in packages:
        (folder / f"{p.name}.md").write_text(document(p), encoding="utf-8")


def write_questions(packages: list[Package], path: Path, count: int, rng: random.Random) -> int:
    """Gold-format lines whose evidence is the summary sentence and whose `document` is the package."""
    by_summary: dict[str, int] = {}
    for p in packages:
        by_summary[p.summary.lower()] = by_summary.get(p.summary.lower(), 0) + 1
    # A summary shared by several packages ("transitional package") has no single right answer.
    pool = [p for p in packages if by_summary[p.summary.lower()] == 1 and question_text(p)]
    chosen = rng.sample(pool, min(count, len(pool)))
    with path.open("w", encoding="utf-8") as out:
        for i, p in enumerate(chosen, 1):
            summary = p.summary[0].upper() + p.summary[1:]
            out.write(json.dumps({
                "id": f"deb{i:05d}", "question": question_text(p), "category": "fact", "answerable": True,
                "answers": [p.name], "evidence": summary.rstrip("."), "document": p.name,
            }, ensure_ascii=False) + "\n")
    return len(chosen)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES), help="documents per corpus")
    parser.add_argument("--questions", type=int, default=QUESTIONS, help="questions per corpus")
    parser.add_argument("--out", type=Path, default=DATA, help="parent folder of the corpora")
    args = parser.parse_args(argv)

    packages, seen = [], set()
    for p in parse(dumpavail()):
        if _slug(p.name) not in seen:  # "foo+bar" and "foo-bar" would share one document id
            seen.add(_slug(p.name))
            packages.append(p)
    random.Random(SEED).shuffle(packages)
    print(f"{len(packages)} packages with a description", file=sys.stderr)
    for size in args.sizes:
        if size > len(packages):
            sys.exit(f"debian_corpus: only {len(packages)} packages, cannot make {size} documents")
        chosen = packages[:size]  # a prefix of one shuffle: each smaller corpus is inside the larger
        folder = args.out / f"debian-{size}"
        write_corpus(chosen, folder)
        n = write_questions(chosen, args.out / f"debian-{size}.questions.jsonl", args.questions,
                            random.Random(SEED + size))
        print(f"{folder}: {size} documents, {n} questions", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
