"""What safety routing adds to a reply: median time of netqa.safety.route per message, uncached, against a no-op
call and one normalise() (what every reply already pays) measured in the same run, and against a whole first ask;
also the rules alone (`model=False`): what the learned net under them adds.

    python benchmarks/safety_route.py [--rounds 5] [--out benchmarks/results/safety_route.json] [--against DIR]

Messages: the look half of the safety set and the built-in gold set's questions. Each round times every message
once with route's own reply cache cleared (the per-word spelling cache stays warm, as in a running server);
"cold" is the very first pass, before any word was seen.

`--against DIR` times another version's router in the same run, back to back: DIR is the `src/netqa` folder of
that version (say, `git archive main src | tar -x -C /tmp/main`, then `--against /tmp/main/src/netqa`); its
`safety*.py` modules and its `lang/en/` word data are loaded beside this one's (the rest of netqa is shared),
both must route every message alike, and their passes alternate (ABBA...), so load on the machine falls on both.
Reported: each one's median over the messages of a pass (median of the passes), the median over the messages of
each message's fastest pass, and the ratio of this version to the other.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import sys
import time
from pathlib import Path
from types import ModuleType

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


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


_ROUTER_MODULES = ("safety_model", "safety_lexicon", "safety_message", "safety_time", "safety")  # in import order


def _other_route(folder: Path):
    """The uncached route of the router in `folder`: its safety*.py modules loaded under their own names (so they
    import each other, not this version's) and reading its own lang/en/ word data, then this version's put back."""
    import netqa
    import netqa.lang

    names = [name for name in _ROUTER_MODULES if (folder / f"{name}.py").exists()]
    kept = {name: sys.modules.get(f"netqa.{name}") for name in names}
    own_words = netqa.lang.en
    try:
        spec = importlib.util.spec_from_file_location("netqa._other_lang_en", folder / "lang" / "en" / "__init__.py",
                                                      submodule_search_locations=[str(folder / "lang" / "en")])
        assert spec is not None and spec.loader is not None
        netqa.lang.en = sys.modules[spec.name] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(netqa.lang.en)
        for name in names:
            setattr(netqa, name, _load(f"netqa.{name}", folder / f"{name}.py"))
        return sys.modules["netqa.safety"].route.__wrapped__
    finally:
        netqa.lang.en = own_words
        for name, module in kept.items():
            if module is None:
                sys.modules.pop(f"netqa.{name}", None)
            else:
                sys.modules[f"netqa.{name}"] = module
                setattr(netqa, name, module)


def against(folder: Path, messages: list[str], rounds: int) -> dict[str, float]:
    """This version's route (rules and net) and the one in `folder`, passes alternated; see the module docstring."""
    from netqa import safety

    routers = {"this": safety.route.__wrapped__, "other": _other_route(folder)}

    def seen(route) -> tuple:  # the two modules' Route classes differ: compare their fields
        return (route.kind.value, route.crisis, route.reason, route.mood)

    for message in messages:
        if seen(routers["this"](message, True)) != seen(routers["other"](message, True)):
            raise SystemExit(f"the two versions route {message!r} differently")
    medians: dict[str, list[float]] = {"this": [], "other": []}
    fastest: dict[str, list[int]] = {"this": [], "other": []}
    for number in range(2 * rounds):
        for name in ("this", "other") if number % 4 in (0, 3) else ("other", "this"):
            route, times = routers[name], []
            for message in messages:
                start = time.perf_counter_ns()
                route(message, True)
                times.append(time.perf_counter_ns() - start)
            medians[name].append(statistics.median(times) / 1000)
            fastest[name] = [min(pair) for pair in zip(fastest[name], times, strict=True)] if fastest[name] else times
    figures = {f"route_{name}": statistics.median(medians[name]) for name in medians}
    figures |= {f"route_fastest_{name}": statistics.median(fastest[name]) / 1000 for name in fastest}
    figures["ratio"] = figures["route_this"] / figures["route_other"]
    figures["ratio_fastest"] = figures["route_fastest_this"] / figures["route_fastest_other"]
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="passes over the messages (median of the rounds)")
    parser.add_argument("--out", type=Path, help="write the figures here as JSON")
    parser.add_argument("--against", type=Path, metavar="DIR",
                        help="instead, time this router against the one in another version's src/netqa folder")
    args = parser.parse_args()

    from netqa import safety, safety_model
    from netqa.text import normalise

    messages = _messages()
    safety.english()  # the word data is read once a process, when the bot loads
    safety_model.shipped()  # so is the learned net
    uncached = safety.route.__wrapped__
    if args.against:
        for name, value in against(args.against, messages, args.rounds).items():
            print(f"{name:26} {value:10.2f}{'' if name.startswith('ratio') else ' µs'}")
        return

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
