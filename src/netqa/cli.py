"""The command line: netqa ask | chat | eval | index | serve, thin over netqa.load()."""

from __future__ import annotations

import argparse
import errno
import json
import os
import socket
import sys
from collections import Counter
from pathlib import Path

from netqa import __version__
from netqa.config import settings_help
from netqa.documents import CorpusError
from netqa.terminal import Style, render_reply

EXAMPLES = """examples:
  netqa ask "How many patients were in the CABINET trial?"
  netqa ask --json "What is the five-year survival for pancreatic NET?"
  netqa chat
  netqa eval corpus/gold.jsonl --report report.html --min-answer 0.95
  netqa serve --port 8000
  netqa --corpus my-documents/ ask "What are the visiting hours?"
"""
CORPUS_HELP = "folder of documents to answer from (default: the built-in article); before or after the command"


GATED_MEASURES = ("answer", "headline", "citation", "abstain", "kind", "document")


class UsageError(ValueError):
    """A command line that cannot be run as given: reported like argparse's own errors (status 2)."""


def _rate(text: str) -> float:
    """A --min-* bar: a share between 0 and 1."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number; give a share between 0 and 1, "
                                         "like 0.95 for 95%") from None
    if not 0.0 <= value <= 1.0:
        hint = f" (for {value:g}% write {value / 100:g})" if 1 < value <= 100 else ""
        raise argparse.ArgumentTypeError(f"{text} is not between 0 and 1{hint}")
    return value


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (1-65535)") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port number: ports run from 1 to 65535")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="netqa", formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EXAMPLES,
        description="Answer questions about a folder of documents, quoting and citing the text. "
                    "Without --corpus it uses the built-in article on the FDA approval of cabozantinib for NET.")
    parser.add_argument("--version", action="version", version=f"netqa {__version__}")
    parser.add_argument("--corpus", type=Path, metavar="DIR", help=CORPUS_HELP)
    # The same option after the command; SUPPRESS keeps a --corpus given before the command when it is absent after.
    corpus = argparse.ArgumentParser(add_help=False)
    corpus.add_argument("--corpus", type=Path, metavar="DIR", default=argparse.SUPPRESS, help=CORPUS_HELP)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    ask = commands.add_parser("ask", parents=[corpus], help="answer one question and exit")
    ask.add_argument("question", help="the question, in quotes")
    ask.add_argument("--json", action="store_true", help="print the reply as one JSON object")

    commands.add_parser("chat", parents=[corpus], help="talk in the terminal; follow-up questions work",
                        description="A conversation in the terminal: follow-up questions work, the arrow keys edit "
                                    "the line and bring back earlier questions (kept in memory only, never written "
                                    "to disk). Ctrl-D or Ctrl-C ends it.")

    evaluate = commands.add_parser("eval", parents=[corpus], help="score the bot on a gold question set")
    evaluate.add_argument("gold", type=Path, help="gold file, one JSON question a line (see README)")
    evaluate.add_argument("--predictions", type=Path, metavar="OUT.jsonl", help="write every reply here")
    evaluate.add_argument("--report", type=Path, metavar="OUT.html", help="write a readable HTML report here")
    for measure in GATED_MEASURES:
        evaluate.add_argument(f"--min-{measure}", type=_rate, metavar="RATE",
                              help=f"exit with status 1 if {measure} accuracy over all questions is below RATE "
                                   "(a share from 0 to 1: 0.95 is 95%%)")

    index = commands.add_parser("index", parents=[corpus], help="build and save the search index of a corpus",
                                description="Build the index of the corpus and save it in DIR/.netqa-index/ (in "
                                            "the user's cache folder for the built-in article, or when DIR is "
                                            "read-only). ask, chat, eval and serve then load it instead of "
                                            "rebuilding, as long as no document, lexicon.txt or metadata.json "
                                            "changed.")
    index.add_argument("--out", type=Path, metavar="PATH",
                       help="save the index in this folder instead (Python: netqa.load(DIR, index_dir=PATH))")

    serve = commands.add_parser("serve", parents=[corpus], help="run the web chat and its JSON API",
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                description="Run the web chat (/), the source view (/source), the JSON API (/api/...) "
                                            "and its docs (/docs).",
                                epilog="settings (environment variables):\n" + settings_help())
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    serve.add_argument("--port", type=_port, default=8000, help="port to listen on, 1-65535 (default: %(default)s)")
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
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        return {"ask": _ask, "chat": _chat, "eval": _eval, "index": _index, "serve": _serve}[args.command](args)
    except (CorpusError, ValueError) as exc:
        print(f"netqa: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(file=sys.stderr)  # the shell's prompt then starts on a line of its own
        return 130
    except BrokenPipeError:  # `netqa ask ... | head -1`: the reader left, which is not an error
        sys.stdout = open(os.devnull, "w")
        return 0


def _load(args):
    import netqa

    return netqa.load(args.corpus)


def _ask(args) -> int:
    reply = _load(args).ask(args.question)
    if args.json:
        print(json.dumps(reply.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(render_reply(reply, Style.for_stream(sys.stdout)))
    return 0


def _chat(args) -> int:
    from netqa.bot import QuestionError

    bot = _load(args)
    if sys.stdin.isatty():
        import readline  # noqa: F401  (input() then edits the line and keeps this session's questions for Up/Down)
    style = Style.for_stream(sys.stdout)
    print(style.dim(f'Ask about "{bot.title}". Type a question and press Enter. Ctrl-D or Ctrl-C ends.'))
    session = None
    while True:
        try:
            question = input(style.prompt("> ")).strip()
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if not question:
            continue
        try:
            reply = bot.ask(question, session_id=session)
        except QuestionError as exc:
            print(f"netqa: {exc}", file=sys.stderr)
            continue
        session = reply.session_id
        print(render_reply(reply, style), end="\n\n", flush=True)


def _writable(path: Path | None, option: str) -> None:
    """Refuse an output path that cannot be written, before the work whose results it would hold."""
    if path is None:
        return
    folder = path.parent
    if path.is_dir():
        raise UsageError(f"{option} {path}: is a folder; give a file name")
    if not folder.is_dir():
        raise UsageError(f"{option} {path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise UsageError(f"{option} {path}: cannot write there (permission denied)")


def _eval(args) -> int:
    from tqdm import tqdm

    from netqa import evaluate

    _writable(args.predictions, "--predictions")
    _writable(args.report, "--report")
    gold = evaluate.read_gold(args.gold)
    bot = _load(args)
    with tqdm(total=len(gold), desc="questions", unit="q", file=sys.stderr, disable=not sys.stderr.isatty()) as bar:
        outcomes = evaluate.run(bot, gold, progress=bar.update)
    scores = evaluate.score(outcomes)
    print(evaluate.format_funnel(scores), end="\n\n")
    print(evaluate.format_table(scores))
    try:
        if args.predictions:
            evaluate.write_predictions(outcomes, args.predictions)
        if args.report:
            evaluate.write_report(outcomes, scores, args.report, args.gold)
    except OSError as exc:
        raise ValueError(f"could not write {exc.filename}: {exc.strerror or exc}") from None
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

    from netqa.documents import default_corpus_dir
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
        print(index_summary(built))
        return 0
    print(f"netqa: error: could not save the index: {'; '.join(problems)}", file=sys.stderr)
    return 1


def index_summary(built) -> str:
    """Documents by format, passages, and the files skipped with their reasons, for the end of `netqa index`."""
    formats = Counter(doc.format for doc in built.documents)
    lines = [f"Documents: {len(built.documents)} ("
             + ", ".join(f"{n} {name}" for name, n in sorted(formats.items())) + f"); passages: {len(built.passages)}"]
    lines.append(f"Skipped: {len(built.skipped)} file(s)")
    lines.extend(f"  {item.path}: {item.reason}" for item in built.skipped)
    return "\n".join(lines)


def _serve(args) -> int:
    from netqa import serving
    from netqa.config import Settings, is_url

    if args.workers < 1:
        raise ValueError(f"--workers must be 1 or more, not {args.workers}")
    settings = Settings.from_env()  # a bad NETQA_* value fails here, with its name, before anything starts
    _port_free(args.host, args.port)
    # Loaded here, once: a worker that fails to load would be restarted by uvicorn over and over, and
    # a stale index is rebuilt and saved before the workers start, so each of them only reads it.
    _load(args)
    if args.corpus:
        os.environ["NETQA_CORPUS"] = str(args.corpus.resolve())
    if args.db:
        os.environ["NETQA_DB"] = args.db if is_url(args.db) else str(Path(args.db).resolve())
    if args.sessions:
        os.environ["NETQA_SESSIONS"] = args.sessions
    serving.run(args.host, args.port, args.workers, settings)
    return 0


def _port_free(host: str, port: int) -> None:
    """Refuse a port another program listens on before loading anything, with a hint instead of uvicorn's errno."""
    try:
        with socket.create_server((host, port), family=socket.AF_INET6 if ":" in host else socket.AF_INET):
            pass
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise UsageError(f"port {port} on {host} is already in use (another netqa serve?); stop that program "
                             f"or choose another port with --port") from None
        if exc.errno == errno.EACCES:
            raise UsageError(f"no permission to listen on port {port} (ports below 1024 need root); "
                             "choose another with --port") from None
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


if __name__ == "__main__":
    sys.exit(main())
