"""A shard's ownership in Redis: a lease with a fencing token, so that one task at a time works
a shard and only the current owner may publish its part.

Per shard, three keys share one hash tag (one Redis Cluster slot): `fence`, a counter that only
grows; `lease`, the current owner's token, which expires unless renewed; `done`, the token whose
part was published. Each operation is one Lua script, atomic on the server:
- `acquire`: refused while `done` is set (the shard is finished) or while a lease is live (the
  milliseconds it has left are returned); else a new token, `INCR fence`, held for `ttl`.
- `renew`: extends the lease only if it is still the caller's token.
- `finish`: sets `done` only if the lease is still the caller's and no part was published: a
  task whose lease lapsed (a stalled or duplicated task) is refused, whatever it has computed.
- `release`: gives a lease up early (a task that failed), if it is still the caller's.
- `reopen`: clears `done` when the part it names was lost before it could be put in place.
"""

from __future__ import annotations

import hashlib
from typing import Any, Literal, cast

import attrs

from genaio.engine._resp import RedisConnection

__all__ = ["Lease", "Leases", "Outcome"]

#: Seconds the fence and done keys outlive a job's last touch.
KEEP_SECONDS = 7 * 86400

_ACQUIRE = """
local done = redis.call('GET', KEYS[3])
if done then return {'done', done} end
local left = redis.call('PTTL', KEYS[1])
if left > 0 then return {'held', tostring(left)} end
local token = redis.call('INCR', KEYS[2])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
redis.call('SET', KEYS[1], token, 'PX', ARGV[1])
return {'ok', tostring(token)}
"""
_RENEW = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
return redis.call('PEXPIRE', KEYS[1], ARGV[2])
"""
_FINISH = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] or redis.call('EXISTS', KEYS[3]) == 1 then return 0 end
redis.call('SET', KEYS[3], ARGV[1], 'PX', ARGV[2])
redis.call('DEL', KEYS[1])
return 1
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
return redis.call('DEL', KEYS[1])
"""
_REOPEN = """
if redis.call('GET', KEYS[3]) ~= ARGV[1] then return 0 end
return redis.call('DEL', KEYS[3])
"""

Kind = Literal["ok", "held", "done"]


@attrs.frozen
class Outcome:
    """What `acquire` found: `ok` (the lease is ours: `token`), `held` (by another, for
    `value` more milliseconds) or `done` (published by `token`)."""

    kind: Kind
    value: int


@attrs.frozen
class Lease:
    shard: int
    token: int


class Leases:
    """The leases of one job's shards, in the Redis at `url`; `job` names the job (its output
    directory's id)."""

    def __init__(self, url: str, job: str, *, ttl: float, timeout: float = 5.0) -> None:
        self._redis = RedisConnection(url, timeout=timeout)
        self._tag = "{genaio:ray:" + hashlib.sha1(job.encode()).hexdigest()[:16] + "}"
        self.ttl = ttl

    def _keys(self, shard: int) -> tuple[str, str, str]:
        base = f"{self._tag}:{shard}"
        return f"{base}:lease", f"{base}:fence", f"{base}:done"

    async def _eval(self, script: str, shard: int, *args: int) -> Any:
        return await self._redis.call("EVAL", script, 3, *self._keys(shard), *args)

    async def acquire(self, shard: int) -> Outcome:
        """Cancellation: a cancelled call may have taken the lease; it lapses after `ttl`."""
        kind, value = await self._eval(_ACQUIRE, shard, self._ms(self.ttl), KEEP_SECONDS * 1000)
        return Outcome(cast(Kind, kind.decode()), int(value))

    async def renew(self, lease: Lease) -> bool:
        """Whether the lease is still ours (and now extended).

        Cancellation: safe; the lease keeps its old expiry."""
        return bool(await self._eval(_RENEW, lease.shard, lease.token, self._ms(self.ttl)))

    async def finish(self, lease: Lease) -> bool:
        """Mark the shard published by this lease; False: the lease is no longer ours.

        Cancellation: the shard may or may not be marked; `acquire` tells which."""
        return bool(await self._eval(_FINISH, lease.shard, lease.token, KEEP_SECONDS * 1000))

    async def release(self, lease: Lease) -> None:
        """Cancellation: safe; an unreleased lease lapses after `ttl`."""
        await self._eval(_RELEASE, lease.shard, lease.token)

    async def reopen(self, shard: int, token: int) -> None:
        """Cancellation: safe; the shard stays as it was or is reopened."""
        await self._eval(_REOPEN, shard, token)

    async def aclose(self) -> None:
        await self._redis.aclose()

    @staticmethod
    def _ms(seconds: float) -> int:
        return max(1, round(seconds * 1000))
