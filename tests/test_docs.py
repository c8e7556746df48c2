"""The README keeps up with the code: every setting and every command is documented."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

from netqa.cli import _parser
from netqa.config import Settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("setting", [f for f in fields(Settings)], ids=lambda f: f.name)
def test_every_setting_is_in_the_readme(setting):
    assert f"`{setting.metadata['env']}`" in README


def test_every_command_is_in_the_readme():
    commands = _parser()._subparsers._group_actions[0].choices
    for name in commands:
        assert f"netqa {name}" in README
