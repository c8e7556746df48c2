"""The command line: netqa ask | chat | eval | index | serve, thin over netqa.load()."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from netqa.corpus import CorpusError

EXAMPLES = """examples:
  netqa ask "How many patients were in the CABINET trial?"
  netqa ask --json "What is the five-year survival for pancreatic NET?"
  netqa chat
  netqa eval corpus/gold.jsonl --report report.html --min-answer 0.95
  netqa serve --port 8000
  netqa ask --corpus my-documents/ "What are the visiting hours?"
"""


GATED_MEASURES = ("answer", "headline", "citation", "abstain", "kind", "document")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="netqa", formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EXAMPLES,
        description="Answer questions about a folder of documents, quoting and citing the text. "
                    "Without --corpus it uses the built-in article on the FDA approval of cabozantinib for NET.")
    corpus = argparse.ArgumentParser(add_help=False)
    corpus.add_argument("--corpus", type=Path, metavar="DIR",
                        help="folder of .txt/.md documents (default: the built-in article)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    ask = commands.add_parser("ask", parents=[corpus], help="answer one question and exit")
    ask.add_argument("question", help="the question, in quotes")
    ask.add_argument("--json", action="store_true", help="print the reply as one JSON object")

    commands.add_parser("chat", parents=[corpus], help="talk in the terminal; follow-up questions work")

    evaluate = commands.add_parser("eval", parents=[corpus], help="score the bot on a gold question set")
    evaluate.add_argument("gold", type=Path, help="gold file, one JSON question a line (see README)")
    evaluate.add_argument("--predictions", type=Path, metavar="OUT.jsonl", help="write every reply here")
    evaluate.add_argument("--report", type=Path, metavar="OUT.html", help="write a readable HTML report here")
    for measure in GATED_MEASURES:
        evaluate.add_argument(f"--min-{measure}", type=float, metavar="RATE",
                              help=f"exit with status 1 if {measure} accuracy over all questions is below RATE (0-1)")

    index = commands.add_parser("index", parents=[corpus], help="build and save the search index of a corpus",
                                description="Build the index of the corpus and save it in DIR/.netqa-index/ (or in "
                                            "the user cache when DIR is read-only). ask, chat, eval and serve then "
                                            "load it instead of rebuilding, as long as no document, lexicon.txt or "
                                            "metadata.json changed.")
    index.add_argument("--out", type=Path, metavar="PATH",
                       help="save the index in this folder instead (Python: netqa.load(DIR, index_dir=PATH))")

    serve = commands.add_parser("serve", parents=[corpus], help="run the web chat and its JSON API",
                                description="Run the web chat (/), the source view (/source), the JSON API (/api/...) "
                                            "and its docs (/docs). Other settings come from NETQA_* variables: "
                                            "NETQA_ADMIN_TOKEN, NETQA_RATE_LIMIT, NETQA_RETENTION_DAYS, ...")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default: %(default)s)")
    serve.add_argument("--workers", type=int, default=1, help="server processes (default: %(default)s)")
    serve.add_argument("--db", metavar="FILE|URL",
                       help="question logs and feedback: a SQLite file, or a postgresql://user@host/db URL shared by "
                            "several servers (default: $NETQA_DB, else netqa.db here; put a password in $NETQA_DB or "
                            "~/.pgpass, not on the command line)")
    serve.add_argument("--sessions", metavar="database|URL",
                       help="conversations, reply ids and rate-limit counts: 'database' (beside --db) or a "
                            "redis://host:6379/0 URL shared by several servers (default: $NETQA_SESSIONS, else "
                            "database)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return {"ask": _ask, "chat": _chat, "eval": _eval, "index": _index, "serve": _serve}[args.command](args)
    except (CorpusError, ValueError) as exc:
        print(f"netqa: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `netqa ask ... | head -1`: the reader left, which is not an error
        sys.stdout = open(os.devnull, "w")
        return 0


def _load(args):
    import netqa

    return netqa.load(args.corpus)


def _ask(args) -> int:
    reply = _load(args).ask(args.question)
    print(json.dumps(reply.to_dict(), ensure_ascii=False, indent=2) if args.json else reply.answer)
    return 0


def _chat(args) -> int:
    bot = _load(args)
    print(f'Ask about "{bot.title}". Type a question; an empty line or Ctrl-D ends.')
    session = None
    while True:
        try:
            question = input("> ").strip()
        except EOFError:
            print()
            return 0
        if not question:
            return 0
        reply = bot.ask(question, session_id=session)
        session = reply.session_id
        print(reply.answer, end="\n\n", flush=True)


def _eval(args) -> int:
    from tqdm import tqdm

    from netqa import evaluate

    gold = evaluate.read_gold(args.gold)
    bot = _load(args)
    with tqdm(total=len(gold), desc="questions", unit="q", file=sys.stderr, disable=not sys.stderr.isatty()) as bar:
        outcomes = evaluate.run(bot, gold, progress=bar.update)
    scores = evaluate.score(outcomes)
    print(evaluate.format_funnel(scores), end="\n\n")
    print(evaluate.format_table(scores))
    if args.predictions:
        evaluate.write_predictions(outcomes, args.predictions)
    if args.report:
        evaluate.write_report(outcomes, scores, args.report, args.gold)
    overall = scores["all"]
    measures = dict(evaluate.MEASURES)
    failed = [f"{name} accuracy {overall.rate(measures[name]) or 0:.1%} < {minimum:.1%}"
              for name, minimum in ((name, getattr(args, f"min_{name}")) for name in GATED_MEASURES)
              if minimum is not None and (overall.rate(measures[name]) or 0.0) < minimum]
    for line in failed:
        print(f"netqa: below the bar: {line}", file=sys.stderr)
    return 1 if failed else 0


def _index(args) -> int:
    import time

    from netqa.corpus import default_corpus_dir
    from netqa.index import build, index_locations, save_index

    directory = args.corpus or default_corpus_dir()
    started = time.perf_counter()
    built = build(directory, progress=True)
    seconds = time.perf_counter() - started
    problems = []
    for location in [args.out] if args.out else index_locations(directory):
        try:
            save_index(built, location)
        except OSError as exc:
            problems.append(f"{location}: {exc.strerror or exc}")
            continue
        print(f"Indexed {len(built.documents)} document(s) ({len(built.passages)} passages) in {seconds:.1f} s; "
              f"saved to {location}")
        return 0
    print(f"netqa: error: could not save the index: {'; '.join(problems)}", file=sys.stderr)
    return 1


def _serve(args) -> int:
    import uvicorn

    from netqa.config import is_url

    if args.workers < 1:
        raise ValueError(f"--workers must be 1 or more, not {args.workers}")
    # Loaded here, once: a worker that fails to load would be restarted by uvicorn over and over, and
    # a stale index is rebuilt and saved before the workers start, so each of them only reads it.
    _load(args)
    if args.corpus:
        os.environ["NETQA_CORPUS"] = str(args.corpus.resolve())
    if args.db:
        os.environ["NETQA_DB"] = args.db if is_url(args.db) else str(Path(args.db).resolve())
    if args.sessions:
        os.environ["NETQA_SESSIONS"] = args.sessions
    # An import string and environment variables, because with --workers each process builds its own app.
    uvicorn.run("netqa.web:app_from_env", factory=True, host=args.host, port=args.port, workers=args.workers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
