"""Real feedback while a flood of feedback for made-up reply ids hits the same `netqa serve`: median and p99 time of
the real posts, alone and during the flood (wrk), in the same run."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load_wrk import start_server, stop_server  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "feedback_flood.json"
FLOOD = r"""
local n = 0
function request()
  n = n + 1
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"},
                    string.format('{"reply_id": "%032x", "helpful": true}', n * 7919 + math.random(1000000)))
end
"""


def real_feedback(url: str, count: int) -> list[float]:
    """Ask, then rate the reply, `count` times; the milliseconds each feedback post took."""
    times = []
    with httpx.Client(timeout=30) as client:
        for n in range(count):
            reply = client.post(f"{url}/api/ask", json={"question": f"How many patients were in the trial? ({n})"})
            started = time.perf_counter()
            response = client.post(f"{url}/api/feedback", json={"reply_id": reply.json()["id"], "helpful": True})
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 201, response.text
    return times


def health(url: str, count: int) -> list[float]:
    """The milliseconds each of `count` GET /api/health took: how busy the server is, whatever the endpoint."""
    times = []
    with httpx.Client(timeout=30) as client:
        for _ in range(count):
            started = time.perf_counter()
            client.get(f"{url}/api/health")
            times.append((time.perf_counter() - started) * 1000)
    return times


def summary(times: list[float]) -> dict:
    ordered = sorted(times)
    return {"posts": len(times), "p50_ms": round(statistics.median(ordered), 2),
            "p99_ms": round(ordered[int(len(ordered) * 0.99) - 1], 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=200, help="real feedback posts in each phase")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections of the flood")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="netqa-flood-") as folder:
        script = Path(folder) / "flood.lua"
        script.write_text(FLOOD, encoding="utf-8")
        server, url = start_server(1, Path(folder) / "netqa.db", Path(folder) / "server.log")
        try:
            real_feedback(url, 20)  # warm up
            alone, health_alone = summary(real_feedback(url, args.posts)), summary(health(url, args.posts))
            print(f"alone:       feedback p50 {alone['p50_ms']} ms, p99 {alone['p99_ms']} ms; "
                  f"health p50 {health_alone['p50_ms']} ms", flush=True)
            flood_output: list[str] = []
            wrk = threading.Thread(target=lambda: flood_output.append(subprocess.run(
                ["wrk", "-t1", f"-c{args.connections}", "-d30s", "-s", str(script), f"{url}/api/feedback"],
                capture_output=True, text=True).stdout))
            wrk.start()
            time.sleep(2)
            flooded, health_flooded = summary(real_feedback(url, args.posts)), summary(health(url, args.posts))
            print(f"under flood: feedback p50 {flooded['p50_ms']} ms, p99 {flooded['p99_ms']} ms; "
                  f"health p50 {health_flooded['p50_ms']} ms", flush=True)
            wrk.join()
            rate = next((line.split()[1] for line in flood_output[0].splitlines() if line.startswith("Requests/sec")),
                        "?")
            print(f"the flood: {rate} made-up feedback posts a second (all 404)")
        finally:
            stop_server(server)
    results = {"alone": alone, "under_flood": flooded, "health_alone": health_alone,
               "health_under_flood": health_flooded, "flood_requests_per_second": float(rate),
               "flood_connections": args.connections, "cpus": os.cpu_count(),
               "load_average": round(os.getloadavg()[0], 2)}
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
