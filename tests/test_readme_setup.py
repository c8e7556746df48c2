"""The README's two set-up commands, in order, in one fresh copy of the repository.

The first installs netqa (not editable) into .venv and starts the chat; the second makes an editable
install in the same .venv and runs the tests and the gold gate. A first run once left the built-in index
and numba's compiled code inside site-packages/netqa/, a folder pip did not install and so never removed,
which then shadowed the editable install. Slow (two installs): `-m "not slow"` leaves it out.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
STARTUP_SECONDS = 300


def setup_commands() -> list[str]:
    """The indented command lines of the README's "Set up" section, in order."""
    section = README.split("\n## Set up\n", 1)[1].split("\n## ", 1)[0]
    return [line.strip() for line in section.splitlines() if line.startswith("    ") and line.strip()]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _fresh_copy(target: Path) -> None:
    """The repository's files as a clean clone would hold them, with this worktree's edits (ignored files left out)."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def _files_pip_did_not_install(venv: Path) -> list[str]:
    site = next(venv.glob("lib/python3*/site-packages"))
    record = next(site.glob("netqa-*.dist-info")) / "RECORD"
    with open(record, newline="") as handle:
        installed = {row[0] for row in csv.reader(handle)}
    return sorted(path.relative_to(site).as_posix() for path in (site / "netqa").rglob("*")
                  if path.is_file() and path.relative_to(site).as_posix() not in installed)


def _ask(base: str, question: str) -> dict:
    request = urllib.request.Request(f"{base}/api/ask", method="POST", headers={"content-type": "application/json"},
                                     data=json.dumps({"question": question, "session_id": None}).encode())
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def test_the_readme_has_exactly_two_set_up_commands():
    install_and_serve, install_and_test = setup_commands()
    assert install_and_serve.endswith("netqa serve")
    assert install_and_test == "bash tests/run.sh"


@pytest.mark.slow
def test_the_two_set_up_commands_work_in_order_in_one_clone(tmp_path):
    clone = tmp_path / "netqa"
    _fresh_copy(clone)
    install_and_serve, install_and_test = setup_commands()
    env = {key: value for key, value in os.environ.items() if not key.startswith(("VIRTUAL_ENV", "PYTHON"))}
    env.update(XDG_CACHE_HOME=str(tmp_path / "cache"), HOME=str(tmp_path / "home"))
    (tmp_path / "home").mkdir()

    # 1. Install and start the chat (on a free port rather than 8000, which may be taken on a shared machine).
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with open(tmp_path / "serve.log", "w") as log:
        server = subprocess.Popen(["bash", "-c", f"{install_and_serve} --port {port}"], cwd=clone, env=env,
                                  stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            deadline = time.monotonic() + STARTUP_SECONDS
            while True:
                assert server.poll() is None, (tmp_path / "serve.log").read_text()
                try:
                    reply = _ask(base, "Who sponsored the CABINET trial?")
                    break
                except OSError:
                    assert time.monotonic() < deadline, "netqa serve did not start"
                    time.sleep(1)
            assert "National Cancer Institute" in reply["answer"]
        finally:
            if server.poll() is None:
                os.killpg(server.pid, signal.SIGINT)  # the whole group: bash and the netqa serve it started
                server.wait(timeout=30)
    assert _files_pip_did_not_install(clone / ".venv") == []
    assert list((tmp_path / "cache" / "netqa").iterdir()), "the index and compiled code go to the user's cache"

    # 2. Install everything and run the tests; a quick test module stands in for the whole suite here, which
    # the outer run is already running. The gold-set gate after pytest runs in full.
    selected = "tests/test_readme_setup.py::test_the_readme_has_exactly_two_set_up_commands"
    result = subprocess.run(["bash", "-c", f"{install_and_test} -q {selected}"], cwd=clone, env=env,
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert re.search(r"\b1 passed\b", result.stdout)
    assert "all " in result.stdout  # the gold gate's score table
