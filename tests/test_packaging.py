"""A plain (non-editable) install carries the corpus, templates and web files, and works from any folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_an_installed_copy_answers_from_its_embedded_corpus(tmp_path):
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target),
                    str(ROOT)], check=True, capture_output=True, timeout=300)
    assert (target / "netqa" / "_corpus" / "cabozantinib-net-approval.txt").is_file()
    assert (target / "netqa" / "_web" / "templates" / "index.html").is_file()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    result = subprocess.run(
        [sys.executable, "-c", "import netqa; r = netqa.load().ask('Who sponsored the CABINET trial?'); "
                               "print(netqa.__file__); print(r.answer)"],
        cwd=elsewhere, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(str(target))
    assert "National Cancer Institute" in result.stdout
