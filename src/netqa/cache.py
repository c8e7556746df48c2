"""Where netqa keeps what it can rebuild (saved indexes, compiled search loops): the user's cache folder.

Never inside the installed package: files pip did not install outlive `pip uninstall`, and the folder
left behind then shadows a later (editable) install of netqa as an empty namespace package.
"""

from __future__ import annotations

from pathlib import Path

import platformdirs


def user_cache() -> Path:
    """The user's cache folder for netqa ($XDG_CACHE_HOME/netqa or ~/.cache/netqa on Linux)."""
    return platformdirs.user_cache_path("netqa", appauthor=False)


def compiled_cache() -> Path:
    """Where numba keeps the compiled search loops."""
    return user_cache() / "numba"
