"""Open 100,000 conversations through bot.ask and show resident memory levelling off at the session cap."""

from __future__ import annotations

import argparse
import gc
import json
import multiprocessing
import platform
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import netqa

RESULTS = Path(__file__).parent / "results" / "sessions_memory.json"
# Real questions, a follow-up among them, so each session holds what a real one holds.
QUESTIONS = ("What does NET stand for?", "How many patients were in the CABINET trial?",
             "Who is the study chair?", "What is the five-year survival for pancreatic NET?")


def resident_mib() -> float:
    """VmRSS from /proc, so the benchmark needs no extra package."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status (this benchmark needs Linux)")


def run(sessions: int, cap: int, every: int, turns: int) -> dict:
    bot = netqa.load(max_sessions=cap)
    # The saved index is read lazily: one warm-up conversation, so the baseline holds the engine's full size.
    warm_up = None
    for question in QUESTIONS:
        warm_up = bot.ask(question, session_id=warm_up).session_id
    gc.collect()
    curve = [{"sessions_opened": 0, "sessions_held": 0, "rss_mib": round(resident_mib(), 1)}]
    print(f"cap {cap:,} sessions, {turns} turn(s) each; resident memory after loading and warming up: "
          f"{curve[0]['rss_mib']} MiB")
    started = time.perf_counter()
    for n in range(1, sessions + 1):
        session_id = None  # the bot issues a new session for each conversation
        for turn in range(turns):
            session_id = bot.ask(QUESTIONS[(n + turn) % len(QUESTIONS)], session_id=session_id).session_id
        if n % every == 0:
            gc.collect()
            point = {"sessions_opened": n, "sessions_held": len(bot.sessions), "rss_mib": round(resident_mib(), 1)}
            curve.append(point)
            print(f"{n:>9,} sessions opened  {point['sessions_held']:>9,} held  {point['rss_mib']:>8.1f} MiB",
                  flush=True)
    elapsed = time.perf_counter() - started
    after_cap = [p["rss_mib"] for p in curve if p["sessions_opened"] >= 2 * cap]
    return {"sessions": sessions, "cap": cap, "turns_per_session": turns, "seconds": round(elapsed, 1),
            "curve": curve,
            # Growth once the cap has been passed twice over: near zero means memory has levelled off.
            "growth_after_cap_mib": round(max(after_cap) - min(after_cap), 1) if after_cap else None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=100_000)
    parser.add_argument("--cap", type=int, default=10_000, help="max_sessions setting (default 10,000)")
    parser.add_argument("--every", type=int, default=10_000, help="print memory after this many sessions")
    parser.add_argument("--turns", type=int, default=2, help="questions asked in each session")
    parser.add_argument("--uncapped", action="store_true",
                        help="also run with the cap above --sessions, to show the growth the cap prevents")
    args = parser.parse_args()
    # Each run in a fresh interpreter: memory left over from one run would hide the other's curve.
    spawn = multiprocessing.get_context("spawn")
    runs = {"capped": args.cap} | ({"uncapped": args.sessions + 1} if args.uncapped else {})
    result = {"python": platform.python_version(), "machine": platform.machine()}
    for name, cap in runs.items():
        with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as fresh:
            result[name] = fresh.submit(run, args.sessions, cap, args.every, args.turns).result()
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
