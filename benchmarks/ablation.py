"""What word and character n-grams each buy: the gold set's accuracy and Debian retrieval with either space alone."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
VARIANTS = {"words + chars (0.7 / 0.3)": (0.7, 0.3), "words only": (1.0, 0.0), "chars only": (0.0, 1.0)}


def gold(weights: tuple[float, float]) -> dict:
    """`netqa eval corpus/gold.jsonl` with the index's two weights set to the variant's."""
    import netqa
    from netqa import evaluate
    from netqa.documents import default_corpus_dir

    bot = netqa.load()
    bot.index.word_weight, bot.index.char_weight = weights
    overall = evaluate.score(evaluate.run(bot, evaluate.read_gold(default_corpus_dir() / "gold.jsonl")))["all"]
    return {measure: overall.rate(f"{measure}_ok") for measure in ("answer", "citation", "abstain")}


def debian(target: str, weights: tuple[float, float], limit: int) -> dict:
    """Top-1 / top-5 document hit of PassageIndex.search alone on the rule-made Debian questions."""
    import netqa
    from netqa.text import char_words, word_terms

    bot = netqa.load(HERE / "data" / target)
    index = bot.index
    index.word_weight, index.char_weight = weights
    path = HERE / "data" / f"{target}.questions.jsonl"
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line][:limit]
    top1 = top5 = 0
    for item in items:
        q = item["question"]
        hits = index.search([(word_terms(q), 1.0)], [(char_words(q), 1.0)], 20)
        documents = list(dict.fromkeys(h.passage.document for h in hits))
        top1 += documents[:1] == [item["document"]]
        top5 += item["document"] in documents[:5]
    return {"top1": top1 / len(items), "top5": top5 / len(items), "questions": len(items)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--targets", nargs="*", default=["debian-6000", "debian-60000"])
    parser.add_argument("--limit", type=int, default=2000, help="Debian questions per corpus")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "ablation.json")
    args = parser.parse_args(argv)

    results = {name: {"gold": gold(weights)} for name, weights in VARIANTS.items()}
    for target in args.targets:
        for name, weights in VARIANTS.items():
            results[name][target] = debian(target, weights, args.limit)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1), encoding="utf-8")

    header = f"{'variant':<26} {'gold answer':>11} {'citation':>9} {'abstain':>8}" + "".join(
        f" {t + ' top1':>18} {'top5':>6}" for t in args.targets)
    print(header + "\n" + "-" * len(header))
    for name, r in results.items():
        g = r["gold"]
        print(f"{name:<26} {g['answer']:>11.1%} {g['citation']:>9.1%} {g['abstain']:>8.1%}" + "".join(
            f" {r[t]['top1']:>18.1%} {r[t]['top5']:>6.1%}" for t in args.targets))
    print(f"\nwritten to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
