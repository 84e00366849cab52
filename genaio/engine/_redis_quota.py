"""One model's quota shared by every process that uses the key, kept in Redis.

Each process's throttle takes a `RedisRateLimiter` in place of its local `RateLimiter`: an
attempt reserves its cost in one atomic Lua script (a generic cell rate algorithm on Redis's own
clock, `TIME`, so machines with skewed clocks agree), learns how long to wait, and waits
locally: one round trip per attempt, no polling. Corrections (the tokens the answer reports, a
cancelled reservation given back) ride on the next reservation; a 429's pause is published at
once, so every process waits it out.

The GCRA keeps, per bucket, the theoretical arrival time (TAT): when the bucket would be full
again. A bucket holds one minute's allowance (like the local one), so a reservation of `c`
moves the TAT by `c` intervals and waits until TAT - 1 minute. Nothing is held per reservation:
a process killed with -9 leaks nothing but what it had reserved, which refills like any use.
Requests per day are a real counter that resets at midnight Pacific time, when the Gemini API
resets its per-day quotas. All of a model's state is one hash, `{genaio:<project>:<model>}`
(hash-tagged: one Redis Cluster slot), which expires once its buckets are full again.
If Redis restarts and loses the hash, each process passes the TATs it last saw, and the first
to reserve restores them: no fresh minute's burst on top of the traffic the server still counts.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable, Coroutine, Mapping
from typing import Any, Literal
from zoneinfo import ZoneInfo

import anyio
import attrs

from genaio._log import get_logger
from genaio.engine._ratelimit import RateLimit, RateLimiter
from genaio.engine._resp import RedisConnection, RedisError

__all__ = ["RedisQuota", "RedisRateLimiter", "Spawn"]

log = get_logger("genaio.quota")

#: Starts background work in its owner's task group (`ActorTree.start_soon`).
Spawn = Callable[[Callable[[], Coroutine[Any, Any, None]]], None]

#: The Gemini API resets requests per day at midnight Pacific time.
_DAY_ZONE = ZoneInfo("America/Los_Angeles")
#: Seconds a failed Redis stays untried (each try can cost a full timeout).
_RETRY_AFTER = 1.0

# KEYS[1]: the model's hash. ARGV: rpm, tpm, requests (1 or 0), tokens, rpd, the day's UTC
# offset (s), burst (1/0), requests given back, token correction, pause until (ms), and the
# requests and tokens TATs the caller last saw (ms; 0: none).
# Returns {granted, wait ms, now ms, requests TAT, tokens TAT, pause until}, as strings.
_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local window = 60000
local s = redis.call('HMGET', KEYS[1], 'r', 't', 'p', 'd', 'n')
local rpm, tpm = tonumber(ARGV[1]), tonumber(ARGV[2])
local nreq, ntok, rpd = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local burst = ARGV[7] == '1'
local oldpause = tonumber(s[3]) or 0
local pause = math.max(oldpause, tonumber(ARGV[10]))
local held = 0
if not burst and pause > math.max(oldpause, now) then held = pause - math.max(oldpause, now) end

local function bucket(stored, seen, limit, cost, correction)
  if limit <= 0 then return 0, 0 end
  local interval = window / limit
  local tat = tonumber(stored)
  if tat == nil then
    tat = tonumber(seen)
    if tat == 0 then tat = burst and now or now + window end
  end
  tat = math.max(tat, now) + held + correction * interval
  tat = math.max(tat, now)
  if cost <= 0 then return tat, 0 end
  local after = math.max(tat, now) + math.min(cost * interval, window)
  return tat, after
end

local day = math.floor((now / 1000 + tonumber(ARGV[6])) / 86400)
local count = tonumber(s[5]) or 0
if tonumber(s[4]) ~= day then count = 0 end
count = math.max(0, count - tonumber(ARGV[8]))
local granted = 1
local wait = 0
if nreq > 0 and rpd > 0 and count >= rpd then
  granted, nreq, ntok = 0, 0, 0
  wait = ((day + 1) * 86400 - tonumber(ARGV[6])) * 1000 - now
end

local r, r2 = bucket(s[1], ARGV[11], rpm, nreq, -tonumber(ARGV[8]))
local k, k2 = bucket(s[2], ARGV[12], tpm, ntok, tonumber(ARGV[9]))
if nreq > 0 then
  if r2 > 0 then r = r2 end
  if k2 > 0 then k = k2 end
  count = count + 1
  wait = math.max(wait, r - window - now, k - window - now)
end
wait = math.max(wait, pause - now, 0)

local fields = {'p', string.format('%.3f', pause), 'd', day, 'n', count}
if rpm > 0 then table.insert(fields, 'r'); table.insert(fields, string.format('%.3f', r)) end
if tpm > 0 then table.insert(fields, 't'); table.insert(fields, string.format('%.3f', k)) end
redis.call('HSET', KEYS[1], unpack(fields))
local keep = math.max(r, k, pause) - now + window
if rpd > 0 then keep = math.max(keep, ((day + 1) * 86400 - tonumber(ARGV[6])) * 1000 - now) end
redis.call('PEXPIRE', KEYS[1], math.ceil(keep))
local function f(x) return string.format('%.3f', x) end
return {granted, f(wait), f(now), f(r), f(k), f(pause)}
"""


def _day_offset() -> int:
    """The UTC offset of the quota's day, in seconds (DST changes at 2 am, never at midnight)."""
    offset = datetime.datetime.now(_DAY_ZONE).utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0


@attrs.frozen
class RedisQuota:
    """A quota shared through Redis by every process that names the same `project`.

    `url`: `redis://[user:password@]host[:port][/db]`, `rediss://...` (TLS) or
    `unix:///path`. `project`: the name the quota is kept under; processes sharing an API key
    (or a Google Cloud project) share it. `requests_per_day`: per model id (or `"*"` for any
    model). `timeout`: seconds each Redis call may take. `on_error`: what an attempt does when
    Redis is unreachable or too slow: `"wait"` until it answers again (a caller with a deadline
    fails at once with `DeadlineExceededError` instead), or `"local"`: go on with a local share
    of the quota, its limits divided by `processes` (how many share it). Either way the first
    failure, and the recovery, are logged once (logger `genaio.quota`).
    """

    url: str
    project: str = "default"
    requests_per_day: Mapping[str, int] = attrs.field(factory=dict)
    timeout: float = attrs.field(default=0.25, validator=attrs.validators.gt(0.0))
    on_error: Literal["wait", "local"] = attrs.field(
        default="wait", validator=attrs.validators.in_(("wait", "local"))
    )
    processes: int = attrs.field(default=1, validator=attrs.validators.ge(1))

    def __attrs_post_init__(self) -> None:
        RedisConnection(self.url, timeout=self.timeout)  # validates the URL now, not mid-run
        if not self.project or "{" in self.project or "}" in self.project:
            raise ValueError(
                f"a quota's project is a non-empty name without braces: {self.project!r}"
            )

    def limiter(
        self,
        model: str,
        limit: RateLimit | None,
        clock: Callable[[], float] = anyio.current_time,
        *,
        spawn: Spawn | None = None,
    ) -> RedisRateLimiter:
        """The limiter one process's throttle uses for `model`; `spawn` runs its background
        work (a 429's pause, published at once) in its owner's task group (the actor tree's)."""
        return RedisRateLimiter(self, model, limit or RateLimit(), clock, spawn=spawn)


class RedisRateLimiter(RateLimiter):
    """`RateLimiter`'s operations on a quota kept in Redis; its own (local) buckets hold the
    local share used while Redis is unreachable with `on_error="local"`.

    `delay` is an estimate from the state the last reply carried (other processes' reservations
    since then are not in it); `acquire` gets the real wait from Redis. While Redis fails with
    `on_error="wait"`, no wait can be foretold: `delay` is infinite for an attempt checking its
    deadline (it fails at once rather than hang), and the time until Redis is tried again for a
    caller planning from a `start` (a filling batch looks again then).
    """

    def __init__(
        self,
        quota: RedisQuota,
        model: str,
        limit: RateLimit,
        clock: Callable[[], float] = anyio.current_time,
        *,
        spawn: Spawn | None = None,
    ) -> None:
        rpm, tpm = limit.requests_per_minute, limit.tokens_per_minute
        share = attrs.evolve(
            limit,
            requests_per_minute=rpm / quota.processes if rpm else None,
            tokens_per_minute=tpm / quota.processes if tpm else None,
        )
        super().__init__(share, clock)
        self.shared = limit
        self.quota = quota
        self.key = f"{{genaio:{quota.project}:{model}}}"
        rpd = quota.requests_per_day
        self._rpd = rpd.get(model, rpd.get("*", 0))
        self._burst = "1" if limit.burst else "0"
        self._connection = RedisConnection(quota.url, timeout=quota.timeout)
        self._sha: bytes | None = None
        # The last reply's state, in Redis milliseconds, and Redis's clock minus ours.
        self._offset: float | None = None
        self._tats = (0.0, 0.0)
        self._pause = 0.0
        # Corrections to send with the next call.
        self._given_back = 0
        self._token_delta = 0
        self._hold = 0.0
        self._down_until = -math.inf  # while Redis is failing: when to try it again
        self.round_trips = 0
        # Where a pause is published from: None, with the next reservation instead.
        self._spawn = spawn

    # -- the operations the throttle uses ------------------------------------------------

    async def acquire(self, tokens: int) -> None:
        """Reserve one request of `tokens` tokens in Redis and wait out the answer.

        Cancellation: a cancelled wait gives its reservation back (with the next call).
        """
        while True:
            if self._down_until > self._clock():
                if self.quota.on_error == "local":
                    await super().acquire(tokens)
                    return
                await anyio.sleep(self._down_until - self._clock())
            try:
                granted, wait = await self._reserve(1, tokens)
            except RedisError as error:
                self._failed(error)
                continue
            if wait > 0:
                try:
                    await anyio.sleep(wait)
                except BaseException:
                    if granted:
                        self.refund(tokens)
                    raise
                self.waited += wait
            if granted:
                return  # else the day's quota was spent: it has reset now, so reserve again

    def delay(
        self, tokens: int, *, start: float | None = None, ahead: int = 0, ahead_tokens: int = 0
    ) -> float:
        now = self._clock() if start is None else max(start, self._clock())
        if self._down_until > self._clock():
            if self.quota.on_error == "local":
                return super().delay(tokens, start=start, ahead=ahead, ahead_tokens=ahead_tokens)
            if start is None:  # an attempt deciding whether its deadline allows the wait
                return math.inf
            # A caller planning ahead (a filling batch): look again when Redis is tried again.
            return max(0.0, self._down_until - now)
        if self._offset is None:
            return 0.0
        at = (now + self._offset) * 1000.0  # in Redis milliseconds
        wait = self._pause - at
        for tat, per_minute, cost in zip(
            self._tats,
            (self.shared.requests_per_minute, self.shared.tokens_per_minute),
            (ahead + 1, ahead_tokens + tokens),
            strict=True,
        ):
            if per_minute:
                interval = 60_000.0 / per_minute
                wait = max(wait, max(tat, at) + min(cost * interval, 60_000.0) - 60_000.0 - at)
        return max(0.0, wait / 1000.0)

    def refund(self, tokens: int) -> None:
        if self._down_until > self._clock():
            super().refund(tokens)
            return
        self._given_back += 1
        self._token_delta -= tokens

    def charge_tokens(self, delta: int) -> None:
        if self._down_until > self._clock():
            super().charge_tokens(delta)
            return
        self._token_delta += delta

    def hold(self, until: float) -> None:
        """A 429's pause until `until` (on the loop's clock), for every process: published at
        once, in a task of the owner's (a caller is reporting a failure and must not wait), or
        with the next reservation if the limiter has no owner."""
        super().hold(until)  # the local share, for while Redis fails
        if self._offset is None:
            return
        self._hold = max(self._hold, (until + self._offset) * 1000.0)
        if self._spawn is not None:
            self._spawn(self._publish)

    async def aclose(self) -> None:
        await self._connection.aclose()

    # -- Redis ----------------------------------------------------------------------------

    async def _publish(self) -> None:
        try:
            await self._reserve(0, 0)
        except Exception as error:  # a background task: nothing may escape it
            self._failed(RedisError(str(error)))

    async def _reserve(self, requests: int, tokens: int) -> tuple[bool, float]:
        """One call of the script: take `requests` and `tokens` (with the pending corrections);
        whether it was granted, and the seconds to wait."""
        given_back, delta, hold = self._given_back, self._token_delta, self._hold
        self._given_back = self._token_delta = 0
        self._hold = 0.0
        limit = self.shared
        args = (
            limit.requests_per_minute or 0,
            limit.tokens_per_minute or 0,
            requests,
            tokens,
            self._rpd,
            _day_offset() if self._rpd else 0,
            self._burst,
            given_back,
            delta,
            f"{hold:.3f}",
            f"{self._tats[0]:.3f}",
            f"{self._tats[1]:.3f}",
        )
        try:
            reply = await self._eval(args)
        except BaseException:  # not sent (or not known to be): keep the corrections for later
            self._given_back += given_back
            self._token_delta += delta
            self._hold = max(self._hold, hold)
            raise
        granted, wait, now, r, k, pause = (float(x) for x in reply)
        self._offset = now / 1000.0 - self._clock()
        self._tats, self._pause = (r, k), pause
        if not granted:  # the day's quota is spent: the estimate waits for its reset too
            self._pause = max(pause, now + wait)
        if self._down_until > -math.inf:
            self._down_until = -math.inf
            log.warning("quota_redis_back", url=self.quota.url, key=self.key)
        return granted > 0, wait / 1000.0

    async def _eval(self, args: tuple[object, ...]) -> list[bytes]:
        call = self._connection.call
        if self._sha is None:
            self._sha = await call("SCRIPT", "LOAD", _RESERVE)
        self.round_trips += 1
        try:
            reply = await call("EVALSHA", self._sha, 1, self.key, *map(str, args))
        except RedisError as error:
            if "NOSCRIPT" not in str(error):
                raise
            self._sha = await call("SCRIPT", "LOAD", _RESERVE)  # Redis restarted
            reply = await call("EVALSHA", self._sha, 1, self.key, *map(str, args))
        assert isinstance(reply, list)
        return reply

    def _failed(self, error: RedisError) -> None:
        if self._down_until == -math.inf:
            log.warning(
                "quota_redis_unreachable",
                url=self.quota.url,
                key=self.key,
                error=str(error),
                on_error=self.quota.on_error,
            )
        self._down_until = self._clock() + _RETRY_AFTER
