"""Every setting in one place: its default, its environment variable, and the help text the CLI shows."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any


def bundled_path(folder: str) -> Path:
    """A top-level folder of the repository (corpus/, web/) that ships inside the package.

    Installed, it is the package netqa._corpus or netqa._web; in an editable install or a plain
    checkout those names do not exist and the folder is read where it stands.
    """
    installed = Path(__file__).resolve().parent / f"_{folder}"
    return installed if installed.is_dir() else Path(__file__).resolve().parents[2] / folder


def is_url(location: str) -> bool:
    """A service's address (postgresql://, redis://, ...) rather than a file path."""
    return re.match(r"[a-z][a-z0-9+.-]*://", location) is not None


def masked_url(url: str) -> str:
    """A connection URL fit for a log: its password (in the address or a `password=` parameter) replaced by ***."""
    scheme, separator, rest = url.partition("://")
    if not separator:
        return url
    address, slash, tail = rest.partition("/")
    credentials, at, host = address.rpartition("@")
    if at and ":" in credentials:
        address = f"{credentials.split(':', 1)[0]}:***@{host}"
    tail = re.sub(r"(?i)(\bpassword=)[^&]*", r"\1***", tail)
    return f"{scheme}://{address}{slash}{tail}"


def _setting(default, env: str | None, help: str, *, shown: str | None = None):
    """A field with its environment variable and help; `shown` is how the docs print a default that reads badly."""
    return field(default=default, metadata={"env": env, "help": help, "shown": shown})


@dataclass(frozen=True)
class Settings:
    top_k: int = _setting(8, "NETQA_TOP_K", "passages retrieved per question")
    abstain_below: float = _setting(0.55, "NETQA_ABSTAIN_BELOW",
                                    "answer only at or above this confidence, else say the article does not say")
    max_question_chars: int = _setting(2000, "NETQA_MAX_QUESTION_CHARS", "longest question accepted")
    session_ttl_seconds: float = _setting(1800.0, "NETQA_SESSION_TTL",
                                          "an idle conversation is forgotten after this many seconds")
    max_sessions: int = _setting(10_000, "NETQA_MAX_SESSIONS",
                                 "conversations kept at most (in the database, shared by the server's workers)")
    corpus: str = _setting("", "NETQA_CORPUS",
                           "folder of documents the web server answers from; empty = the built-in article",
                           shown="built-in")
    db: str = _setting("netqa.db", "NETQA_DB",
                       "question logs, feedback and conversations: a SQLite file (relative to the working folder) "
                       "or a postgresql:// URL shared by several servers")
    admin_token: str = _setting("", "NETQA_ADMIN_TOKEN",
                                "bearer token for /api/admin/feedback and /api/admin/unanswered; empty turns them off")
    rate_limit_per_minute: int = _setting(
        0, "NETQA_RATE_LIMIT", "requests a minute per client address to /api/ask and /api/feedback; 0 = no limit")
    log_questions: int = _setting(
        0, "NETQA_LOG_QUESTIONS",
        "1 = write question text to the server log (debugging only: questions hold health details)")
    # 30 days: long enough to review the questions the documents could not answer, short enough not to keep
    # health details for long. The chat page tells its readers.
    retention_days: int = _setting(30, "NETQA_RETENTION_DAYS",
                                   "delete logged questions and feedback older than this many days (0 keeps them)")
    emergency_number: str = _setting("911", "NETQA_EMERGENCY_NUMBER",
                                     "the number an emergency reply (and the page) tells people to call first")
    crisis_line: str = _setting("988", "NETQA_CRISIS_LINE",
                                "the suicide and crisis line a self-harm reply gives first, then the emergency number")
    trusted_proxies: str = _setting("", "NETQA_TRUSTED_PROXIES",
                                    "comma-separated addresses of reverse proxies whose X-Forwarded-For and "
                                    "X-Forwarded-Proto are believed; empty = none (the client is the socket's peer)")
    max_header_bytes: int = _setting(16_384, "NETQA_MAX_HEADER_BYTES",
                                     "largest request line and headers accepted, in bytes (431 beyond)")
    read_timeout_seconds: float = _setting(10.0, "NETQA_READ_TIMEOUT",
                                           "a request's headers and body must arrive within this many seconds "
                                           "(408 and the connection closed beyond)")
    keep_alive_seconds: float = _setting(5.0, "NETQA_KEEP_ALIVE",
                                         "an idle kept-alive connection is closed after this many seconds")
    max_connections: int = _setting(1000, "NETQA_MAX_CONNECTIONS",
                                    "open connections per server worker at most (503 and closed beyond)")
    sessions: str = _setting("database", "NETQA_SESSIONS",
                             "where conversations, reply ids and rate-limit counts live: database (beside NETQA_DB, "
                             "shared by the workers of one machine, or by several with PostgreSQL) or a redis:// URL")
    redis_prefix: str = _setting("netqa:", "NETQA_REDIS_PREFIX",
                                 "the start of every Redis key netqa writes (services sharing one Redis differ here)")
    pool_size: int = _setting(8, "NETQA_POOL_SIZE",
                              "connections each server worker opens at most to PostgreSQL (for the question log, and "
                              "as many for conversations kept there) and to Redis")

    @classmethod
    def from_env(cls, **overrides) -> Settings:
        """Defaults, then NETQA_* environment variables, then explicit overrides (None means unset)."""
        values = {}
        for f in fields(cls):
            raw = os.environ.get(f.metadata["env"]) if f.metadata["env"] else None
            if raw is not None:
                convert: Any = type(f.default)
                try:
                    values[f.name] = convert(raw)
                except ValueError as exc:
                    raise ValueError(f"{f.metadata['env']}={raw!r} is not a valid {type(f.default).__name__}") from exc
        unknown = set(overrides) - {f.name for f in fields(cls)}
        if unknown:
            raise TypeError(f"unknown setting(s): {', '.join(sorted(unknown))}; "
                            f"valid: {', '.join(f.name for f in fields(cls))}")
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


# ---------------------------------------------------------------- the table, as the docs show it


def settings_rows() -> list[tuple[str, str, str]]:
    """(variable, default as shown, meaning) for every setting that has an environment variable."""
    rows = []
    for f in fields(Settings):
        if not f.metadata["env"]:
            continue
        default = f.metadata.get("shown") or f.default
        if isinstance(default, float) and default.is_integer():
            default = int(default)
        rows.append((f.metadata["env"], "empty" if default == "" else str(default), f.metadata["help"]))
    return rows


def settings_help(width: int = 100) -> str:
    """The settings as `netqa serve --help` lists them: the variable, then its meaning and default, wrapped."""
    import textwrap

    column = max(len(env) for env, _, _ in settings_rows()) + 4
    return "\n".join(textwrap.fill(f"{meaning} (default: {default})", width, initial_indent=f"  {env:<{column - 2}}",
                                   subsequent_indent=" " * column) for env, default, meaning in settings_rows())


def settings_markdown() -> str:
    """The settings as the README's table (`python -m netqa.config` prints it)."""
    lines = ["| variable | default | meaning |", "|---|---|---|"]
    for env, default, meaning in settings_rows():
        cells = [f"`{env}`", default, meaning]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(settings_markdown())
