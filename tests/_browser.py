"""What the browser tests share: Debian's Chromium, a real `netqa serve` on a free port, and axe-core from npm.

Imported by the browser test modules (fixtures imported into a module are that module's fixtures).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"]
ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
TOKEN = "e2e-admin-token"
STARTUP_SECONDS = 90
AXE_VERSION = "4"
# Assertions wait up to 15 s, not Playwright's 5 s: on a loaded two-core machine a reply or a feedback post can take
# longer than 5 s, and a slow server is not a broken page.
expect.set_options(timeout=15_000)
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Fail, never skip: CI installs chromium, so a missing browser is a broken machine, not an optional test.
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: install it with `apt-get install -y chromium` "
                    "(never `playwright install`)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_FLAGS}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get_json(url: str, token: str | None = None):
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def start_server(folder: Path, **env: str):
    """`netqa serve` in a subprocess with its own database; yields its base URL, then stops it."""
    port = free_port()
    environment = {**os.environ, "NETQA_ADMIN_TOKEN": TOKEN, "NETQA_RATE_LIMIT": "0", **env}
    command = [sys.executable, "-m", "netqa.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
               "--db", str(folder / "netqa.db")]
    with open(folder / "server.log", "w") as log:
        process = subprocess.Popen(command, cwd=folder, env=environment, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            try:
                get_json(base + "/api/health")
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    process.kill()
                    pytest.fail(f"netqa serve did not start:\n{(folder / 'server.log').read_text()}")
                time.sleep(0.2)
        yield base
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The base URL of `netqa serve` running in a subprocess with its own database and an admin token."""
    yield from start_server(tmp_path_factory.mktemp("serve"))


@pytest.fixture(scope="session")
def axe_script(tmp_path_factory) -> Path:
    """axe-core's browser script, installed from npm for this run (never kept in the repository)."""
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("npm is missing: install it with `apt-get install -y npm` (tests/run.sh does)")
    folder = tmp_path_factory.mktemp("axe")
    subprocess.run([npm, "install", "--no-audit", "--no-fund", "--silent", "--prefix", str(folder),
                    f"axe-core@{AXE_VERSION}"], check=True, capture_output=True, timeout=300)
    return folder / "node_modules" / "axe-core" / "axe.min.js"


def axe_violations(page, script: Path) -> list[dict]:
    """axe-core's WCAG 2.2 A and AA violations on the page as it is now (the context must bypass the CSP)."""
    page.add_script_tag(path=str(script))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_22_AA)
    return [{"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"]]
