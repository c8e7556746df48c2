"""Conversations in Redis, shared by replicas on several machines (see base.Conversations).

Every key starts with the prefix (Settings.redis_prefix, `netqa:`) and expires: a session's keys and a reply's
after the idle time, a client's rate-limit window after a minute, the index of sessions after the idle time. The
index (a sorted set of session ids by last use) also keeps sessions to the cap: past max_sessions the least
recently used are deleted. Nothing grows without bound.

    {prefix}session:{id}   hash: used = last use (seconds since the epoch), page = the no-JavaScript transcript
    {prefix}turns:{id}     list of turns (JSON), the last MAX_TURNS
    {prefix}reply:{id}     "<time given> <session id>"
    {prefix}rate:{client}  sorted set of request times in the last minute
    {prefix}sessions       sorted set: session id -> last use

Times are the replicas' clocks (keep them in step with NTP), as in the SQLite conversations, and idle times are
checked against them when read; Redis's own expiry only reclaims the memory. The scripts touch keys they build
from the prefix, so this needs one Redis server (with replicas if wanted), not a Redis Cluster.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable
from typing import Any, TypeVar

from netqa.config import Settings, masked_url
from netqa.records import Turn
from netqa.store.base import (
    MAX_TURNS,
    RATE_WINDOW_SECONDS,
    TRANSCRIPT_TURNS,
    is_session_id,
    turns_from_json,
    turns_to_json,
)
from netqa.store.outage import Outage

SOCKET_SECONDS = 0.5  # a Redis call waits this long at most: the answer to a question waits on it

_REMEMBER = """
local prefix, id, turn, now = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local max_turns, ttl_ms, cap = tonumber(ARGV[5]), ARGV[6], tonumber(ARGV[7])
if tonumber(redis.call('HGET', KEYS[1], 'used') or '-1') < now - tonumber(ttl_ms) / 1000 then
  redis.call('DEL', KEYS[1], KEYS[2])  -- idle past the timeout by the replicas' clock: a new session
end
redis.call('HSET', KEYS[1], 'used', ARGV[4])
redis.call('PEXPIRE', KEYS[1], ttl_ms)
if turn ~= '' then
  redis.call('RPUSH', KEYS[2], turn)
  redis.call('LTRIM', KEYS[2], -max_turns, -1)
end
redis.call('PEXPIRE', KEYS[2], ttl_ms)
redis.call('SET', KEYS[3], ARGV[4] .. ' ' .. id, 'PX', ttl_ms, 'NX')
redis.call('ZADD', KEYS[4], now, id)
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now - tonumber(ttl_ms) / 1000)
local over = redis.call('ZCARD', KEYS[4]) - cap
if over > 0 then
  for _, old in ipairs(redis.call('ZRANGE', KEYS[4], 0, over - 1)) do
    redis.call('DEL', prefix .. 'session:' .. old, prefix .. 'turns:' .. old)
  end
  redis.call('ZREMRANGEBYRANK', KEYS[4], 0, over - 1)
end
redis.call('PEXPIRE', KEYS[4], ttl_ms)
return 0
"""
# A sliding minute: drop the hits older than the window, refuse past the limit (saying how long to wait for the
# oldest to leave it), else count this one.
_HIT = """
local now, window, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= limit then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return math.max(1, math.ceil(tonumber(oldest[2]) + window - now))
end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('PEXPIRE', KEYS[1], math.ceil(window * 1000))
return 0
"""

Result = TypeVar("Result")


class RedisSessions:
    """base.Conversations in Redis. A failing Redis is logged once per outage (its URL's password masked) and
    the sessions then behave as if they knew nothing: no history, no known reply, requests allowed."""

    remote = True

    def __init__(self, client: Any, where: str, prefix: str, ttl_seconds: float, max_sessions: int,
                 clock: Callable[[], float] = time.time):
        self.where = where
        self.prefix = prefix
        self.ttl_seconds = ttl_seconds
        self.max_sessions = max_sessions
        self._client = client
        self._clock = clock
        self._remember = client.register_script(_REMEMBER)
        self._hit = client.register_script(_HIT)
        self._outage = Outage(f"the conversation store {where}", "follow-up questions lose their context and the "
                                                                 "rate limit is not applied until it is back")

    @classmethod
    def open(cls, url: str, ttl_seconds: float, max_sessions: int, prefix: str = "netqa:",
             clock: Callable[[], float] = time.time, pool_size: int = Settings.pool_size) -> RedisSessions:
        """Conversations at a redis:// (or rediss://, unix://) URL, over `pool_size` connections at most (a call
        waits SOCKET_SECONDS for one); an unreachable server is logged, not fatal."""
        import redis

        if ttl_seconds <= 0 or max_sessions < 1:
            raise ValueError(f"sessions need a positive idle time and cap, not {ttl_seconds} s and {max_sessions}")
        if pool_size < 1:
            raise ValueError(f"the Redis pool needs at least one connection, not {pool_size}")
        try:
            pool = redis.BlockingConnectionPool.from_url(
                url, max_connections=pool_size, timeout=SOCKET_SECONDS, socket_timeout=SOCKET_SECONDS,
                socket_connect_timeout=SOCKET_SECONDS, health_check_interval=30)
            client = redis.Redis(connection_pool=pool)
        except ValueError as exc:  # redis-py names the bad part of the URL, never the password
            raise ValueError(f"NETQA_SESSIONS={masked_url(url)} is not a Redis URL: {exc}") from None
        sessions = cls(client, masked_url(url), prefix, ttl_seconds, max_sessions, clock)
        sessions._call(client.ping, None)  # says at start whether Redis answers
        return sessions

    def history(self, session_id: str) -> tuple[Turn, ...] | None:
        if not is_session_id(session_id):
            return None

        def read() -> tuple[Turn, ...] | None:
            pipe = self._client.pipeline(transaction=False)
            pipe.hget(self._key("session", session_id), "used")
            pipe.lrange(self._key("turns", session_id), 0, -1)
            used, turns = pipe.execute()
            if not self._live(used):
                return None
            return turns_from_json("[" + ",".join(t.decode() for t in turns) + "]")

        return self._call(read, None)

    def remember(self, session_id: str, reply_id: str, turn: Turn | None) -> None:
        # A turn is stored as one JSON object, the same text turns_to_json writes for a tuple of one.
        item = turns_to_json((turn,))[1:-1] if turn is not None else ""
        self._call(lambda: self._remember(
            keys=[self._key("session", session_id), self._key("turns", session_id), self._key("reply", reply_id),
                  self.prefix + "sessions"],
            args=[self.prefix, session_id, item, repr(self._clock()), MAX_TURNS, self._ttl_ms(),
                  self.max_sessions]), None)

    def session_of(self, reply_id: str) -> str | None:
        found = self._call(lambda: self._client.get(self._key("reply", reply_id)), None)
        if found is None:
            return None
        given, _, session_id = found.decode().partition(" ")
        return session_id if self._live(given) else None

    def transcript(self, session_id: str) -> list[dict]:
        used, page = self._call(lambda: self._client.hmget(self._key("session", session_id), "used", "page"),
                                [None, None])
        try:
            turns: Any = json.loads(page) if page is not None and self._live(used) else []
        except ValueError:
            return []
        return turns if isinstance(turns, list) else []

    def save_transcript(self, session_id: str, turns: list[dict]) -> None:
        key = self._key("session", session_id)

        def save() -> None:
            pipe = self._client.pipeline(transaction=True)
            pipe.hset(key, mapping={"used": repr(self._clock()),
                                    "page": json.dumps(turns[-TRANSCRIPT_TURNS:], ensure_ascii=False)})
            pipe.pexpire(key, self._ttl_ms())
            pipe.execute()

        if self.history(session_id) is not None:  # only a live session has a page
            self._call(save, None)

    def hit(self, client: str, per_minute: int) -> int:
        if per_minute <= 0:
            return 0
        return int(self._call(lambda: self._hit(keys=[self._key("rate", client)], args=[
            repr(self._clock()), RATE_WINDOW_SECONDS, per_minute, secrets.token_hex(8)]), 0))

    def close(self) -> None:
        self._client.close()

    def __len__(self) -> int:
        return int(self._call(lambda: self._client.zcard(self.prefix + "sessions"), 0))

    # ------------------------------------------------------------ internals

    def _key(self, kind: str, name: str) -> str:
        return f"{self.prefix}{kind}:{name}"

    def _live(self, used: bytes | str | None) -> bool:
        """Whether a session last used at `used` (seconds, as stored) is within the idle time."""
        return used is not None and float(used) >= self._clock() - self.ttl_seconds

    def _ttl_ms(self) -> int:
        return max(1, int(self.ttl_seconds * 1000))

    def _call(self, action: Callable[[], Result], default: Result) -> Result:
        """action(), or `default` when Redis fails (logged once per outage) or is known to be away."""
        import redis

        if not self._outage.worth_trying():
            return default
        try:
            result = action()
        except redis.RedisError as exc:
            self._outage.down(exc)
            return default
        self._outage.up()
        return result
