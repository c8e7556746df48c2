"""netqa against bm25s and rank_bm25 on the same passages and questions: latency, quality, build, load, memory."""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
RESULTS = HERE / "results"
TARGETS = ("article", "debian-6000", "debian-60000")
SYSTEMS = ("netqa", "bm25s", "rank_bm25")
RETRIEVE = 20  # passages fetched per question; top-1/top-5 count distinct documents among them
WARMUP = 20
ARTICLE_PASSES = 5  # the gold set has ~200 questions: repeat searches for steadier percentiles
# netqa and bm25s run in turn this many times, each in a new process: on a shared VM a slow
# minute then falls on both, and the median round is reported.
ROUNDS = 5
RANK_BM25_CAP = {"debian-60000": 200}  # pure-Python scoring: ~0.1 s a question at this size


# ---------------------------------------------------------------- the data of one target


def corpus_dir(target: str) -> Path:
    if target == "article":
        from netqa.documents import default_corpus_dir

        return default_corpus_dir()
    return DATA / target


def questions(target: str) -> list[dict]:
    """Single-turn questions, each with what a right retrieval must find: a `document` or an `evidence` snippet."""
    if target == "article":
        path = corpus_dir(target) / "gold.jsonl"
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        return [{"id": r["id"], "question": r["question"], "evidence": r.get("evidence")}
                for r in rows if not r.get("history")]
    path = DATA / f"{target}.questions.jsonl"
    if not path.exists():
        sys.exit(f"compare: {path} is missing: run `python benchmarks/debian_corpus.py` first")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def tokens(text: str) -> list[str]:
    """The BM25 libraries' tokenizer: netqa's own word policy (normalised, stop words out, Snowball stems)."""
    from netqa.text import content_words, normalise, stem

    return [stem(w) for w in content_words(normalise(text))]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def timed(run, items, warmup=None) -> tuple[list, list[float]]:
    """run(item) for every item after a short warm-up (on `warmup`, else the first items); results and milliseconds."""
    for item in items[:WARMUP] if warmup is None else warmup:
        run(item)
    results, ms = [], []
    for item in items:
        start = time.perf_counter_ns()
        results.append(run(item))
        ms.append((time.perf_counter_ns() - start) / 1e6)
    return results, ms


# ---------------------------------------------------------------- one system, in its own process


def child_build(target: str) -> dict:
    """netqa: parse and fit from the documents, then save; also export the passages for the BM25 runs."""
    from netqa.documents import load_corpus
    from netqa.index import build, index_locations, save_index

    directory = corpus_dir(target)
    start = time.perf_counter()
    load_corpus(directory)
    parse_s = time.perf_counter() - start
    start = time.perf_counter()
    built = build(directory)
    build_s = time.perf_counter() - start
    start = time.perf_counter()
    for location in index_locations(directory):
        try:
            save_index(built, location)
            break
        except OSError:
            continue
    save_s = time.perf_counter() - start
    passages = [{"document": p.document, "text": p.text,
                 "indexed": f"{p.section}\n{p.text}" if p.section != p.document else p.text}
                for p in built.passages]
    (DATA / f"{target}.passages.json").write_text(json.dumps(passages), encoding="utf-8")
    return {"build_s": build_s, "parse_s": parse_s, "save_s": save_s, "peak_mb": peak_mb(),
            "documents": len(built.documents), "passages": len(built.passages)}


def child_netqa(target: str, items: list[dict]) -> dict:
    import netqa
    from netqa.text import char_words, word_terms

    start = time.perf_counter()
    bot = netqa.load(corpus_dir(target))
    load_s = time.perf_counter() - start
    load_peak = peak_mb()
    index = bot.index

    def analyse(item):
        q = item["question"]
        return [(word_terms(q), 1.0)], [(char_words(q), 1.0)]

    def retrieve(query):
        return [index.position_[h.passage.id] for h in index.search(*query, RETRIEVE)]

    def reply(item):
        r = bot.ask(item["question"])
        return [index.position_[c.passage_id] for c in r.citations[:1]] if r.kind == "answer" else []

    queries, analyse_ms = timed(analyse, items)
    ranked, search_ms = timed(retrieve, queries)
    # The bot caches replies by question: each question is asked once, after a warm-up on other questions,
    # so every timed reply is computed in full.
    once = list({item["question"]: item for item in items}.values())
    warmup = [{"question": f"What does the text say about topic number {i}?"} for i in range(WARMUP)]
    cited, reply_ms = timed(reply, once, warmup)
    return {"load_s": load_s, "load_peak_mb": load_peak, "peak_mb": peak_mb(), "ranked": ranked,
            "analyse_ms": analyse_ms, "search_ms": search_ms, "cited": cited, "reply_ms": reply_ms}


def child_bm25s(target: str, items: list[dict]) -> dict:
    import bm25s

    passages = json.loads((DATA / f"{target}.passages.json").read_text(encoding="utf-8"))
    start = time.perf_counter()
    retriever = bm25s.BM25()
    retriever.index([tokens(p["indexed"]) for p in passages], show_progress=False)
    build_s = time.perf_counter() - start
    saved = DATA / f"bm25s-{target}"
    retriever.save(str(saved))
    del retriever
    gc.collect()
    start = time.perf_counter()
    retriever = bm25s.BM25.load(str(saved))
    load_s = time.perf_counter() - start
    k = min(RETRIEVE, len(passages))

    def retrieve(query):
        docs, scores = retriever.retrieve([query], k=k, show_progress=False)
        return [int(d) for d, s in zip(docs[0], scores[0], strict=False) if s > 0]

    queries, analyse_ms = timed(lambda item: tokens(item["question"]), items)
    ranked, search_ms = timed(retrieve, queries)
    return {"build_s": build_s, "load_s": load_s, "peak_mb": peak_mb(), "ranked": ranked,
            "analyse_ms": analyse_ms, "search_ms": search_ms}


def child_rank_bm25(target: str, items: list[dict]) -> dict:
    import numpy as np
    from rank_bm25 import BM25Okapi

    passages = json.loads((DATA / f"{target}.passages.json").read_text(encoding="utf-8"))
    start = time.perf_counter()
    bm25 = BM25Okapi([tokens(p["indexed"]) for p in passages])
    build_s = time.perf_counter() - start
    k = min(RETRIEVE, len(passages))

    def retrieve(query):
        scores = bm25.get_scores(query)
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [int(i) for i in top if scores[i] > 0]

    queries, analyse_ms = timed(lambda item: tokens(item["question"]), items)
    ranked, search_ms = timed(retrieve, queries)
    return {"build_s": build_s, "load_s": None, "peak_mb": peak_mb(), "ranked": ranked,
            "analyse_ms": analyse_ms, "search_ms": search_ms}


def run_child(system: str, target: str, count: int) -> dict:
    """Run one system in a fresh interpreter, so its timings and peak memory are its own."""
    out = DATA / f".compare-{system}-{target}.json"
    subprocess.run([sys.executable, __file__, "--child", system, "--target", target, "--count", str(count),
                    "--child-out", str(out)], check=True)
    result = json.loads(out.read_text(encoding="utf-8"))
    out.unlink()
    return result


# ---------------------------------------------------------------- scoring and the table


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def latency(ms: list[float]) -> dict:
    return {"median_ms": percentile(ms, 50), "p99_ms": percentile(ms, 99), "qps": len(ms) / (sum(ms) / 1000),
            "questions": len(ms)}


def latency_of_rounds(rounds: list[list[float]]) -> dict:
    """Each figure the median of the rounds' figures; the rounds' medians are kept to show the spread."""
    each = [latency(ms) for ms in rounds]
    middle = {key: percentile([e[key] for e in each], 50) for key in ("median_ms", "p99_ms", "qps")}
    return {**middle, "questions": each[0]["questions"], "round_medians_ms": [e["median_ms"] for e in each]}


def quality(items: list[dict], ranked: list[list[int]], passages: list[dict]) -> dict:
    """Top-1 / top-5 hit: the expected document (or the evidence snippet's passage) among the first distinct results."""
    from netqa.evaluate import same_text

    top1 = top5 = 0
    for item, found in zip(items, ranked, strict=False):
        if item.get("document"):
            units = list(dict.fromkeys(passages[i]["document"] for i in found))
            hits = [u == item["document"] for u in units]
        else:
            hits = [same_text(item["evidence"], passages[i]["text"]) for i in found]
        top1 += bool(hits[:1] and hits[0])
        top5 += any(hits[:5])
    return {"top1": top1 / len(items), "top5": top5 / len(items), "judged": len(items)}


def machine() -> dict:
    import bm25s
    import numpy
    import scipy
    import sklearn

    import netqa

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return {"python": platform.python_version(), "cpu": cpu, "cores": os.cpu_count(),
            "load_average": os.getloadavg(), "netqa": netqa.__version__,
            "numpy": numpy.__version__, "scipy": scipy.__version__, "scikit-learn": sklearn.__version__,
            "bm25s": bm25s.__version__, "rank_bm25": _version("rank_bm25")}


def _version(name: str) -> str:
    from importlib.metadata import version

    return version(name)


def bench_target(target: str, limit: int | None, rounds: int) -> dict:
    items = questions(target)[:limit]
    once = list({item["question"]: item for item in items}.values())  # as the netqa child asks them
    print(f"== {target}: building netqa's index", file=sys.stderr)
    built = run_child("build", target, 0)
    passages = json.loads((DATA / f"{target}.passages.json").read_text(encoding="utf-8"))
    result = {"target": target, "documents": built["documents"], "passages": built["passages"],
              "questions": len(items), "systems": {}}
    runs = {system: [] for system in SYSTEMS}
    for round_number in range(rounds):
        for system in SYSTEMS:
            if system == "rank_bm25" and round_number:
                continue  # minutes a round at 60,000 documents, and far from the others either way
            count = min(len(items), RANK_BM25_CAP.get(target, len(items))) if system == "rank_bm25" else len(items)
            print(f"== {target}: {system}, round {round_number + 1}", file=sys.stderr)
            runs[system].append(run_child(system, target, count))
    for system in SYSTEMS:
        raw, rounds = runs[system][0], runs[system]
        count = len(raw["ranked"])
        asked = items[:count]
        scored = [(i, r) for i, r in zip(asked, raw["ranked"], strict=False) if i.get("document") or i.get("evidence")]
        entry = {
            # "search": the index alone, on questions analysed beforehand; "retrieval": analysis + search.
            "search": latency_of_rounds([r["search_ms"] for r in rounds]),
            "retrieval": latency_of_rounds([[a + b for a, b in zip(r["analyse_ms"], r["search_ms"], strict=False)]
                                            for r in rounds]),
            "quality": quality([i for i, _ in scored], [r for _, r in scored], passages),
            "build_s": built["build_s"] if system == "netqa" else raw["build_s"],
            "load_s": raw["load_s"], "peak_mb": raw["peak_mb"],
        }
        if system == "netqa":
            entry.update(reply=latency_of_rounds([r["reply_ms"] for r in rounds]), parse_s=built["parse_s"],
                         save_s=built["save_s"], build_peak_mb=built["peak_mb"], load_peak_mb=raw["load_peak_mb"],
                         reply_quality=quality(*zip(*[(i, c) for i, c in zip(once, raw["cited"], strict=False)
                                                      if i.get("document") or i.get("evidence")], strict=False),
                                               passages))
        if count < len(items):
            entry["note"] = f"{count} of {len(items)} questions (capped: slow per question at this size)"
        result["systems"][system] = entry
    (DATA / f"{target}.passages.json").unlink()
    return result


def table(results: list[dict]) -> str:
    def ms(stats: dict | None) -> list[str]:
        if stats is None:
            return ["-", "-", "-"]
        return [f"{stats['median_ms']:.3f}", f"{stats['p99_ms']:.2f}", f"{stats['qps']:.0f}"]

    header = ["corpus", "system", "search p50", "p99", "x bm25s", "retr p50", "p99", "q/s", "x bm25s",
              "reply p50", "p99", "q/s", "top1", "top5", "build s", "load s", "peak MB"]
    rows = [header]
    for result in results:
        baseline = result["systems"]["bm25s"]
        for system, e in result["systems"].items():
            ratios = [f"{e[part]['median_ms'] / baseline[part]['median_ms']:.2f}" for part in ("search", "retrieval")]
            rows.append([result["target"], system + ("*" if "note" in e else ""), *ms(e["search"])[:2], ratios[0],
                         *ms(e["retrieval"]), ratios[1],
                         *ms(e.get("reply")), f"{e['quality']['top1']:.1%}", f"{e['quality']['top5']:.1%}",
                         f"{e['build_s']:.2f}", "-" if e["load_s"] is None else f"{e['load_s']:.2f}",
                         f"{e['peak_mb']:.0f}"])
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) if i < 2 else cell.rjust(w)
                       for i, (cell, w) in enumerate(zip(row, widths, strict=False)))
             for row in rows]
    lines.insert(1, "-" * len(lines[0]))
    notes = sorted({f"* {r['target']} {s}: {e['note']}" for r in results for s, e in r["systems"].items()
                    if "note" in e})
    legend = ["search: the index alone on pre-analysed questions; retr: query analysis + search (ms); "
              "x bm25s: p50 over bm25s's p50 in the same run; reply: netqa's whole bot.ask; "
              "top1/top5: expected document (article: evidence passage) hit"]
    return "\n".join(lines + notes + legend)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--targets", nargs="+", default=list(TARGETS), choices=TARGETS)
    parser.add_argument("--limit", type=int, help="at most this many questions per corpus (default: all)")
    parser.add_argument("--rounds", type=int, default=ROUNDS,
                        help=f"runs of netqa and bm25s in turn (default {ROUNDS})")
    parser.add_argument("--out", type=Path, default=RESULTS / "compare.json")
    parser.add_argument("--child", choices=("build",) + SYSTEMS, help=argparse.SUPPRESS)
    parser.add_argument("--target", help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--child-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        if args.child == "build":
            result = child_build(args.target)
        else:
            items = questions(args.target)[:args.count]
            if args.target == "article":
                items = items * ARTICLE_PASSES
            result = {"netqa": child_netqa, "bm25s": child_bm25s, "rank_bm25": child_rank_bm25}[args.child](
                args.target, items)
            if args.target == "article":  # quality once per question; search latency over every pass
                result["ranked"] = result["ranked"][:len(items) // ARTICLE_PASSES]
        args.child_out.write_text(json.dumps(result), encoding="utf-8")
        return 0

    results = [bench_target(target, args.limit, args.rounds) for target in args.targets]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"machine": machine(), "retrieve_k": RETRIEVE, "results": results}, indent=1),
                        encoding="utf-8")
    print(table(results))
    print(f"\nwritten to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
