"""What safety routing adds to a reply: median time of netqa.safety.route per message, uncached, against a no-op
call and one normalise() (what every reply already pays) measured in the same run, and against a whole first ask;
also the rules alone (`model=False`): what the learned net under them adds.

    python benchmarks/safety_route.py [--rounds 5] [--out benchmarks/results/safety_route.json]

Messages: the look half of the safety set and the built-in gold set's questions. Each round times every message
once with route's own reply cache cleared (the per-word spelling cache stays warm, as in a running server);
"cold" is the very first pass, before any word was seen.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def _messages() -> list[str]:
    rows = (ROOT / "tests" / "safety" / "look.jsonl").read_text(encoding="utf-8").splitlines()
    messages = [json.loads(line)["message"] for line in rows if line.strip()]
    gold = (ROOT / "corpus" / "gold.jsonl").read_text(encoding="utf-8").splitlines()
    return messages + [json.loads(line)["question"] for line in gold if line.strip()]


def _median_us(function, messages: list[str]) -> float:
    times = []
    for message in messages:
        start = time.perf_counter_ns()
        function(message)
        times.append(time.perf_counter_ns() - start)
    return statistics.median(times) / 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="passes over the messages (median of the rounds)")
    parser.add_argument("--out", type=Path, help="write the figures here as JSON")
    args = parser.parse_args()

    from netqa import safety, safety_model
    from netqa.text import normalise

    messages = _messages()
    safety.english()  # the word data is read once a process, when the bot loads
    safety_model.shipped()  # so is the learned net
    uncached = safety.route.__wrapped__

    def no_op(message: str) -> None:
        return None

    cold = _median_us(lambda m: uncached(m, True), messages)
    rounds = []
    for _ in range(args.rounds):
        rounds.append({"no_op": _median_us(no_op, messages), "normalise": _median_us(normalise, messages),
                       "route": _median_us(lambda m: uncached(m, True), messages),
                       "route_rules_only": _median_us(lambda m: uncached(m, True, False), messages),
                       "route_cached": _median_us(lambda m: safety.route(m, True), messages)})
    figures = {name: statistics.median(r[name] for r in rounds) for name in rounds[0]}
    figures["route_cold_first_pass"] = cold
    figures["route_added_over_no_op"] = figures["route"] - figures["no_op"]
    figures["net_added_over_rules"] = figures["route"] - figures["route_rules_only"]

    import netqa

    bot = netqa.load()
    bot.ask("warm up")
    gold = [json.loads(line)["question"] for line in (ROOT / "corpus" / "gold.jsonl").read_text(
        encoding="utf-8").splitlines() if line.strip()]
    asks = []
    for message in gold:  # a whole first ask: no reply or routing cache
        bot._answer.cache_clear()
        safety.route.cache_clear()
        start = time.perf_counter_ns()
        bot.ask(message)
        asks.append(time.perf_counter_ns() - start)
    figures["first_ask_gold"] = statistics.median(asks) / 1000
    figures["route_share_of_first_ask"] = figures["route"] / figures["first_ask_gold"]
    figures["messages"] = len(messages)
    figures["rounds"] = args.rounds
    for name, value in figures.items():
        unit = "" if not isinstance(value, float) or name.endswith("share_of_first_ask") else " µs"
        print(f"{name:26} {value:10.2f}{unit}")
    if args.out:
        args.out.write_text(json.dumps({k: round(v, 2) for k, v in figures.items()}, indent=2) + "\n")


if __name__ == "__main__":
    main()
