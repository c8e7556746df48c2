"""The `netqa` command as a person meets it: help, version, --corpus anywhere, and chat in a real terminal.

The terminal tests run the installed command on a pseudo-terminal, so line editing, the Up arrow, Ctrl-C and
colour behave as they do for a person at a keyboard.
"""

from __future__ import annotations

import os
import pty
import re
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from netqa import __version__

ROOT = Path(__file__).resolve().parents[1]
CLINIC = ROOT / "tests" / "fixtures" / "clinic"
_BESIDE_PYTHON = Path(sys.executable).with_name("netqa")
NETQA = str(_BESIDE_PYTHON) if _BESIDE_PYTHON.exists() else shutil.which("netqa")
ANSI = re.compile(r"\x1b\[[0-9;]*m")
UP_ARROW = "\x1b[A"


def run(*args: str) -> subprocess.CompletedProcess:
    assert NETQA, "the netqa command is not installed: pip install -e ."
    return subprocess.run([NETQA, *args], capture_output=True, text=True, timeout=120)


class Terminal:
    """The netqa command on a pseudo-terminal of a given width: type into it, read what it shows."""

    def __init__(self, *args: str, columns: int = 60, env: dict[str, str] | None = None):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: becomes netqa, on the terminal
            os.execve(NETQA, [NETQA, *args], {**os.environ, "COLUMNS": str(columns), "LINES": "40", "TERM": "xterm",
                                              **(env or {})})
        self.output = ""

    def read_until(self, text: str, timeout: float = 120.0, times: int = 1) -> str:
        """Read until `text` has been shown `times` times in all."""
        deadline = time.monotonic() + timeout
        while self.output.count(text) < times:
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"{text!r} never appeared in:\n{self.output}"
            ready, _, _ = select.select([self.fd], [], [], remaining)
            if ready:
                try:
                    chunk = os.read(self.fd, 65536)
                except OSError:  # the program ended
                    chunk = b""
                assert chunk, f"the program ended before {text!r} appeared:\n{self.output}"
                self.output += chunk.decode("utf-8", "replace")
        return self.output

    def type(self, keys: str) -> None:
        os.write(self.fd, keys.encode())

    def _drain(self) -> None:
        """Read what is left on the terminal of a program that has ended."""
        while True:
            try:
                chunk = os.read(self.fd, 65536) if select.select([self.fd], [], [], 0.5)[0] else b""
            except OSError:  # the terminal closed: everything was read
                return
            if not chunk:
                return
            self.output += chunk.decode("utf-8", "replace")

    def exit_status(self, timeout: float = 30.0) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:  # keep reading, so the program is never blocked writing to a full terminal
                if select.select([self.fd], [], [], 0.1)[0]:
                    self.output += os.read(self.fd, 65536).decode("utf-8", "replace")
            except OSError:
                pass
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self._drain()  # what it wrote just before it ended may not have been read yet
                return os.waitstatus_to_exitcode(status)
        os.kill(self.pid, 9)
        raise AssertionError(f"netqa did not exit:\n{self.output}")


# ---------------------------------------------------------------- help, version, --corpus


def test_bare_netqa_shows_the_help():
    result = run()
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout.startswith("usage: netqa")
    for command in ("ask", "chat", "eval", "index", "serve"):
        assert command in result.stdout


def test_version_prints_the_version():
    result = run("--version")
    assert (result.returncode, result.stdout.strip()) == (0, f"netqa {__version__}")


@pytest.mark.parametrize("where", ["before", "after"])
def test_corpus_goes_before_or_after_the_command(where):
    question = "how long can an ICU visit last"
    corpus = ("--corpus", str(CLINIC))
    result = run(*corpus, "ask", question) if where == "before" else run("ask", *corpus, question)
    assert result.returncode == 0, result.stderr
    assert "30 minutes" in result.stdout


def test_piped_output_is_the_reply_text_unwrapped_and_plain():
    result = run("ask", "How many patients were in the CABINET trial?")
    assert "\x1b[" not in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) > 100  # the quote, on one line


# ---------------------------------------------------------------- chat on a terminal


def test_chat_edits_lines_recalls_history_ignores_empty_lines_and_ends_on_ctrl_d():
    chat = Terminal("chat", columns=60)
    chat.read_until("> ")
    chat.type("How many patients were in the CABINET trial?\r")
    chat.read_until("> ", times=2)
    answers = chat.output.count("298")
    assert answers
    chat.type("\r")  # an empty line does not end the conversation
    chat.read_until("> ", times=3)
    chat.type(UP_ARROW + "\r")  # the Up arrow brings the question back, not "^[[A"
    chat.read_until("> ", times=4)
    assert "^[[A" not in chat.output
    assert chat.output.count("298") == 2 * answers
    chat.type("\x04")  # Ctrl-D
    assert chat.exit_status() == 0
    assert chat.output.endswith(("\n", "\r\n"))


def test_ctrl_c_ends_the_chat_cleanly_on_a_new_line():
    chat = Terminal("chat")
    chat.read_until("> ")
    time.sleep(0.5)  # the prompt is shown a moment before readline reads the keyboard
    chat.type("\x03")  # Ctrl-C
    assert chat.exit_status() == 0, chat.output
    assert "Traceback" not in chat.output and "KeyboardInterrupt" not in chat.output
    assert chat.output.endswith(("\n", "\r\n"))


def _reply_lines(output: str) -> list[str]:
    return [ANSI.sub("", line) for line in output.replace("\r\n", "\n").splitlines()]


def test_replies_are_wrapped_to_the_terminal_with_the_short_answer_in_bold():
    chat = Terminal("ask", "How many patients were in the CABINET trial?", columns=50)
    assert chat.exit_status() == 0
    assert "\x1b[1m298\x1b[0m" in chat.output
    lines = _reply_lines(chat.output)
    assert max(len(line) for line in lines) <= 50
    assert "99 with pancreatic NET" in " ".join(" ".join(lines).split())


def test_no_color_leaves_out_colour_and_bold_but_still_wraps():
    chat = Terminal("ask", "How many patients were in the CABINET trial?", columns=50, env={"NO_COLOR": "1"})
    assert chat.exit_status() == 0
    assert "\x1b[" not in chat.output
    assert max(len(line) for line in _reply_lines(chat.output)) <= 50
