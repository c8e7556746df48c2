"""The README keeps up with the code: every setting and every command is documented."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import pytest

from netqa.cli import _parser
from netqa.config import Settings, settings_markdown, settings_rows

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("setting", [f for f in fields(Settings)], ids=lambda f: f.name)
def test_every_setting_is_in_the_readme(setting):
    assert f"`{setting.metadata['env']}`" in README


def test_every_command_is_in_the_readme():
    commands = _parser()._subparsers._group_actions[0].choices
    for name in commands:
        assert f"netqa {name}" in README


def test_the_readme_settings_table_is_the_one_the_settings_make():
    assert settings_markdown() in README, "README's settings table is stale: paste `python -m netqa.config` into it"


def test_serve_help_lists_every_setting_with_its_default():
    result = subprocess.run([sys.executable, "-m", "netqa.cli", "serve", "--help"], capture_output=True, text=True,
                            env={**os.environ, "COLUMNS": "200"}, check=True)
    help_text = " ".join(result.stdout.split())
    for env, default, meaning in settings_rows():
        assert f"{env} {meaning} (default: {default})" in help_text


def test_the_api_docs_page_lists_every_setting_with_its_default(tmp_path):
    from fastapi.testclient import TestClient

    import netqa
    from netqa.web import create_app

    app = create_app(netqa.load(), Settings.from_env(db=str(tmp_path / "netqa.db")))
    with TestClient(app) as client:
        description = client.get("/openapi.json").json()["info"]["description"]
    assert settings_markdown() in description


def test_abstain_below_is_documented_with_its_real_default():
    assert f"| `NETQA_ABSTAIN_BELOW` | {Settings().abstain_below} |" in README
