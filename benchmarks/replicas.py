"""wrk against one netqa server on SQLite, then one and two servers sharing PostgreSQL and Redis, on one machine.

Every configuration logs each reply and keeps each conversation in its store (SQLite file; PostgreSQL and Redis
started here in a temporary folder, PostgreSQL with fsync on). Two servers get one wrk each, at once, with half
the connections; their requests a second are added up and the higher p99 is reported. The configurations take
turns over the rounds and the median round is reported. wrk, the servers, PostgreSQL and Redis share the
machine's cores: this measures what the shared stores cost, not what a second machine would add.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))  # the real PostgreSQL and Redis servers the tests start

import services  # noqa: E402
from live_server import Server  # noqa: E402
from load_wrk import gold_questions, lua_script, run_wrk, warm_up  # noqa: E402

RESULTS = HERE / "results" / "replicas.json"
CONFIGURATIONS = ("1 server, SQLite", "1 server, PostgreSQL + Redis", "2 servers, PostgreSQL + Redis")


def measure(servers: list[Server], script: Path, connections: int, seconds: int) -> dict:
    """One wrk per server, at once; requests a second added up, the worst p99 and p50 kept."""
    share = max(1, connections // len(servers))
    threads = 2 if len(servers) == 1 else 1
    with ThreadPoolExecutor(len(servers)) as pool:
        runs = list(pool.map(lambda s: run_wrk(s.url, script, "ask", threads, share, seconds), servers))
    return {"requests_per_second": round(sum(r["requests_per_second"] for r in runs), 1),
            "p50_ms": max(r["latency_ms"]["p50"] for r in runs), "p99_ms": max(r["latency_ms"]["p99"] for r in runs),
            "errors": sum(sum(r["errors"].values()) for r in runs), "non_2xx": sum(r["non_2xx"] for r in runs),
            "load_average_before": round(os.getloadavg()[0], 2)}


def logged_rows(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as connection:
        return connection.execute("SELECT COUNT(*) FROM replies").fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10, help="length of each wrk run (default: %(default)s)")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each configuration (default: %(default)s)")
    parser.add_argument("--connections", type=int, default=64, help="in all, split between the servers")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where to write the results (default: %(default)s)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    bin_dir, redis_program = services.postgres_bin(), services.redis_bin()
    if bin_dir is None or redis_program is None:
        raise SystemExit("PostgreSQL and redis-server are needed (apt-get install postgresql redis-server)")

    questions = gold_questions()
    results: dict = {"python": platform.python_version(), "cpus": os.cpu_count(), "seconds": args.seconds,
                     "connections": args.connections, "rounds": args.rounds, "questions": len(questions),
                     "runs": [], "median": {}}
    postgres, redis = services.Postgres(bin_dir, durable=True), services.Redis(redis_program)
    with tempfile.TemporaryDirectory(prefix="netqa-replicas-") as folder:
        script = Path(folder) / "netqa.lua"
        script.write_text(lua_script(questions), encoding="utf-8")
        shared = {"NETQA_DB": postgres.new_database(), "NETQA_SESSIONS": redis.url(), "NETQA_RATE_LIMIT": "0"}
        local = {"NETQA_DB": str(Path(folder) / "netqa.db"), "NETQA_SESSIONS": "database", "NETQA_RATE_LIMIT": "0"}
        started: list[Server] = []
        try:
            setups = {CONFIGURATIONS[0]: [Server(local["NETQA_DB"], Path(folder) / "sqlite.log", env=local)],
                      CONFIGURATIONS[1]: [Server(shared["NETQA_DB"], Path(folder) / "shared-1.log", env=shared)]}
            setups[CONFIGURATIONS[2]] = setups[CONFIGURATIONS[1]] + [
                Server(shared["NETQA_DB"], Path(folder) / "shared-2.log", env=shared)]
            started = setups[CONFIGURATIONS[0]] + setups[CONFIGURATIONS[2]]
            for server in started:
                warm_up(server.url, questions)
            for round_number in range(args.rounds):
                for name, servers in setups.items():
                    print(f"round {round_number + 1}, {name}: {args.seconds} s ...", flush=True)
                    run = {"configuration": name, "round": round_number + 1,
                           **measure(servers, script, args.connections, args.seconds)}
                    results["runs"].append(run)
                    print(f"  {run['requests_per_second']:8.1f} req/s  p50 {run['p50_ms']:.1f} ms  "
                          f"p99 {run['p99_ms']:.1f} ms  errors {run['errors']}  non-2xx {run['non_2xx']}",
                          flush=True)
            time.sleep(0.5)  # the last batch of the question log
            results["replies_logged_in_postgresql"] = logged_rows(shared["NETQA_DB"])
        finally:
            for server in started:
                server.stop()
            postgres.remove()
            redis.remove()
    baseline = None
    for name in CONFIGURATIONS:
        runs = [r for r in results["runs"] if r["configuration"] == name]
        median = {key: statistics.median(r[key] for r in runs) for key in ("requests_per_second", "p50_ms", "p99_ms")}
        baseline = baseline or median["requests_per_second"]
        results["median"][name] = median | {"vs_sqlite": round(median["requests_per_second"] / baseline, 2)}
        print(f"{name}: {median['requests_per_second']:.0f} req/s (x{results['median'][name]['vs_sqlite']:.2f}), "
              f"p99 {median['p99_ms']:.1f} ms")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
