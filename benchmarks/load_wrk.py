"""wrk against a real `netqa serve` (1 then 2 workers): POST /api/ask with the gold questions, and GET /api/health;
then POST /api/ask with thousands of distinct questions, none asked twice, so no reply comes from the cache.

The cached ask and health take turns over several rounds on the same server, and the median round is reported: on
a small virtual machine one 30-second run can be 10% off the next.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "wrk.json"
GOLD = HERE.parent / "corpus" / "gold.jsonl"
_BESIDE_PYTHON = Path(sys.executable).with_name("netqa")
NETQA = str(_BESIDE_PYTHON) if _BESIDE_PYTHON.exists() else shutil.which("netqa")

# wrk's own counters only see 4xx/5xx as "status errors"; the response() hook counts every status outside
# 2xx, per wrk thread, and done() adds the threads up and prints one JSON line for this script to read.
LUA = r"""
local bodies = {%(bodies)s}
local mode = "ask"
local next_body = 0
non_2xx = 0  -- a global, because thread:get() in done() reads only globals
local threads = {}

local step = 1

function setup(thread)
  table.insert(threads, thread)
  thread:set("slot", #threads)
end

function init(args)
  mode = args[1] or "ask"
  if mode == "distinct" then
    -- Thread k asks questions k, k + n, k + 2n, ...: no two requests carry the same question.
    step = tonumber(args[2])
    next_body = slot - step
  else
    next_body = math.random(#bodies)  -- the wrk threads start at different questions
  end
end

function request()
  if mode == "health" then
    return wrk.format("GET")
  end
  next_body = (next_body + step - 1) %% #bodies + 1
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, bodies[next_body])
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non_2xx = non_2xx + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("non_2xx")
  end
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %%d, "seconds": %%.3f, "requests_per_second": %%.1f, ' ..
    '"latency_ms": {"mean": %%.2f, "p50": %%.2f, "p90": %%.2f, "p99": %%.2f, "max": %%.2f}, ' ..
    '"errors": {"connect": %%d, "read": %%d, "write": %%d, "timeout": %%d, "status": %%d}, "non_2xx": %%d}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency.mean / 1000, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    e.connect, e.read, e.write, e.timeout, e.status, bad))
end
"""


def gold_questions() -> list[str]:
    """The gold set's stand-alone questions: answers, abstentions, advice, emergencies and small talk mixed."""
    rows = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [row["question"] for row in rows if not row.get("history")]


def distinct_questions(count: int) -> list[str]:
    """`count` different questions about the article, in a fixed order: phrases of two to four words from each
    of its sentences in several question frames, then the gold questions in other words. Most are new to the
    engine; some have an answer, many not, as from real readers."""
    import netqa
    from netqa.text import normalise

    frames = ("What does the article say about {}?", "Tell me about {}", "what about {}?", "Is {} mentioned?",
              "How is {} described?", "anything on {}?", "Why {}?", "Who said {}?")
    sentences = [s for p in netqa.load().corpus.passages for s in re.split(r"(?<=[.!?])\s+", p.text)]
    phrases = []
    for sentence in sentences:
        words = [w for w in re.findall(r"[A-Za-z][A-Za-z-]+|\d[\d.,%]*", sentence) if len(w) > 3 or w[0].isdigit()]
        phrases += [" ".join(words[i:i + n]) for n in (2, 3, 4) for i in range(len(words) - n + 1)]
    leads = ("Quick question: ", "Can you tell me: ", "I was wondering, ", "My doctor mentioned this. ")
    candidates = [frame.format(phrase) for frame in frames for phrase in phrases]
    candidates += [lead + question for lead in leads for question in gold_questions()]
    unique = list({normalise(q): q for q in random.Random(13).sample(candidates, len(candidates))}.values())
    if len(unique) < count:
        raise SystemExit(f"only {len(unique)} distinct questions could be made from the article, not {count}")
    return unique[:count]


def lua_script(questions: list[str]) -> str:
    bodies = ",\n".join(f"[==[{json.dumps({'question': q, 'session_id': None})}]==]" for q in questions)
    return LUA % {"bodies": bodies}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(workers: int, db: Path, log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with open(log, "ab") as output:
        # Its own process group: stopping it must also stop the worker processes uvicorn forks.
        server = subprocess.Popen([NETQA, "serve", "--port", str(port), "--workers", str(workers), "--db", str(db)],
                                  stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
                                  env={**os.environ, "NETQA_RATE_LIMIT": "0"})
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"netqa serve exited with {server.returncode}; see {log}")
        try:
            with urllib.request.urlopen(f"{url}/api/health", timeout=1) as response:
                if response.status == 200:
                    return server, url
        except OSError:
            time.sleep(0.2)
    stop_server(server)
    raise SystemExit(f"netqa serve did not come up in 120 s; see {log}")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def warm_up(url: str, questions: list[str]) -> None:
    """Each question once, so every worker has loaded what it loads lazily before the clock starts."""
    for question in questions:
        request = urllib.request.Request(f"{url}/api/ask", data=json.dumps({"question": question}).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30):
            pass


def run_wrk(url: str, script: Path, mode: str, threads: int, connections: int, seconds: int) -> dict:
    path = "/api/health" if mode == "health" else "/api/ask"
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
               "-s", str(script), f"{url}{path}", "--", mode, str(threads)]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


def measure_round(url: str, script: Path, workers: int, args: argparse.Namespace, runs: list[dict]) -> float:
    """One wrk run of /api/ask, then one of /api/health, appended to runs; returns ask / health."""
    for mode in ("ask", "health"):
        print(f"{workers} worker(s), {mode}: wrk -t{args.threads} -c{args.connections} -d{args.seconds}s ...",
              flush=True)
        # The one-minute load average before the run: other work on the machine shows in the figures.
        run = {"workers": workers, "endpoint": "POST /api/ask" if mode == "ask" else "GET /api/health",
               "load_average_before": round(os.getloadavg()[0], 2),
               **run_wrk(url, script, mode, args.threads, args.connections, args.seconds)}
        runs.append(run)
        print(f"  {run['requests_per_second']:8.1f} req/s  p50 {run['latency_ms']['p50']:.1f} ms  "
              f"p99 {run['latency_ms']['p99']:.1f} ms  errors {sum(run['errors'].values())}  "
              f"non-2xx {run['non_2xx']}", flush=True)
    ask, health = (run["requests_per_second"] for run in runs[-2:])
    return round(ask / health, 3)


def measure_distinct(url: str, script: Path, workers: int, count: int, args: argparse.Namespace) -> dict:
    """One wrk run of /api/ask over the distinct questions; refused if it asked more than there are."""
    print(f"{workers} worker(s), {count:,} distinct questions: wrk -t{args.threads} -c{args.connections} "
          f"-d{args.distinct_seconds}s ...", flush=True)
    run = {"workers": workers, "endpoint": "POST /api/ask (distinct questions)", "questions": count,
           "load_average_before": round(os.getloadavg()[0], 2),
           **run_wrk(url, script, "distinct", args.threads, args.connections, args.distinct_seconds)}
    if run["requests"] > count:
        raise SystemExit(f"wrk sent {run['requests']:,} requests: more than the {count:,} distinct questions "
                         "(use --distinct more or --distinct-seconds less)")
    print(f"  {run['requests_per_second']:8.1f} req/s  p50 {run['latency_ms']['p50']:.1f} ms  "
          f"p99 {run['latency_ms']['p99']:.1f} ms  errors {sum(run['errors'].values())}  "
          f"non-2xx {run['non_2xx']}  ({run['requests']:,} requests, each question once)", flush=True)
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=20, help="length of each wrk run (default: %(default)s)")
    parser.add_argument("--rounds", type=int, default=3, help="ask-then-health runs per server (default: %(default)s)")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--distinct", type=int, default=10_000,
                        help="distinct questions for the uncached run, at least 2,000 (default: %(default)s)")
    parser.add_argument("--distinct-seconds", type=int, default=10,
                        help="length of the uncached run; it must not use up the questions (default: %(default)s)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where to write the results (default: %(default)s)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    if not NETQA:
        raise SystemExit("the netqa command is not installed (pip install -e .)")
    if args.distinct < 2000:
        raise SystemExit("--distinct must be at least 2,000")

    questions = gold_questions()
    distinct = distinct_questions(args.distinct)
    results = {"python": platform.python_version(), "machine": platform.machine(), "cpus": os.cpu_count(),
               "wrk": {"threads": args.threads, "connections": args.connections, "seconds": args.seconds,
                       "distinct_seconds": args.distinct_seconds, "timeout_seconds": 10},
               "rounds": args.rounds, "questions": len(questions), "distinct_questions": len(distinct), "runs": [],
               "ask_vs_health": {}, "ask_vs_health_rounds": {}}
    with tempfile.TemporaryDirectory(prefix="netqa-wrk-") as folder:
        script = Path(folder) / "netqa.lua"
        script.write_text(lua_script(questions), encoding="utf-8")
        distinct_script = Path(folder) / "distinct.lua"
        distinct_script.write_text(lua_script(distinct), encoding="utf-8")
        for workers in args.workers:
            db = Path(folder) / f"netqa-{workers}.db"
            server, url = start_server(workers, db, Path(folder) / "server.log")
            try:
                warm_up(url, questions * workers)
                ratios = [measure_round(url, script, workers, args, results["runs"]) for _ in range(args.rounds)]
                # The bar: ask throughput as a fraction of health on the same server (median round).
                results["ask_vs_health_rounds"][str(workers)] = ratios
                results["ask_vs_health"][str(workers)] = statistics.median(ratios)
                print(f"  ask / health, median of {args.rounds}: {statistics.median(ratios):.0%}", flush=True)
                results["runs"].append(measure_distinct(url, distinct_script, workers, len(distinct), args))
            finally:
                stop_server(server)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
