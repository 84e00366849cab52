"""The fuzzer of the pool's HTTP/2: hostile HTTP/2 answers (tests/hostile/h2_server.py), many
callers at once on one pool, under trio and asyncio.

Each example gives each caller an act (a proper answer, or a fault of its stream or of its
connection), and some callers a time after which they are cancelled, and runs them all at
once. It checks:
- every call ends, in time, in a response or exactly one httpx transport error (no exception
  group, no raw exception, no hang), or is cancelled when its caller gave up;
- a success is the caller's own answer (answers echo the caller's id: cross-talk shows);
- a call whose answer is broken fails; when no act of the example breaks a connection, every
  proper answer succeeds (a stream's fault costs that stream alone, and the connection serves
  on; a GOAWAY's refused calls are sent again);
- afterwards the pool serves a probe call (a second one, if the first found its connection
  broken by an act that broke connections), holds no stream, no busy connection, no waiter,
  and after `aclose()` the server sees every connection closed.
"""

from __future__ import annotations

import json
import os
import ssl

import anyio
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from genaio.engine._http11 import DEFAULT_HEADERS, split_url
from genaio.engine._pool import PooledTransport
from tests.hostile.h2_server import MUST, SCOPES, Act, hostile_h2_server, payload

EXAMPLES = int(os.environ.get("GENAIO_HOSTILE_H2_EXAMPLES", "40"))
#: The read timeout of a caller whose server is silent (seconds), and of every other caller.
SILENT, PATIENT = 0.3, 10.0
#: Any one call ending later than this is a hang.
HANG = 15
BODY = json.dumps({"contents": [{"parts": [{"text": "hi"}]}]}).encode()

_HEALTHY = ("ok", "ok_in_pieces", "huge_headers", "ping_flood", "data_after_end", "trailers")
_ANY = list(SCOPES)
_STREAM = [kind for kind, scope in SCOPES.items() if scope != "connection"]


@st.composite
def scenarios(draw) -> tuple[dict[str, Act], int]:
    """Callers' acts, and the server's MAX_CONCURRENT_STREAMS (0: not sent, no limit). One
    example in three may break connections; the others break streams alone, so that every
    proper answer must come."""
    acts: dict[str, Act] = {}
    kinds = _ANY if draw(st.integers(0, 2)) == 0 else _STREAM
    for i in range(draw(st.integers(2, 14))):
        kind = draw(st.sampled_from(kinds) | st.sampled_from(_HEALTHY))
        patience = draw(st.sampled_from([None, None, None, None, 0, 0.001, 0.005, 0.02]))
        acts[f"c{i:02d}"] = Act(kind, draw(st.integers(0, 5)), patience)
    return acts, draw(st.sampled_from([100, 3, 0]))


@pytest.mark.parametrize("backend", ["trio", "asyncio"])
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(scenario=scenarios())
def test_hostile_http2_answers_cost_only_their_own_stream(
    backend,
    certificate,
    scenario,
):
    acts, max_streams = scenario
    anyio.run(_scenario, certificate, acts, max_streams, backend=backend)


async def _scenario(cert, acts: dict[str, Act], max_streams: int) -> None:
    context = ssl.create_default_context(cafile=str(cert[0]))
    with hostile_h2_server(cert, acts, max_streams) as server:
        pool = PooledTransport(ssl_context=context, http2=True)
        with anyio.fail_after(HANG * 2):
            assert await _call(pool, server.url, "probe") == ("ok", payload("probe"))
            outcomes: dict[str, tuple[str, object]] = {}

            async def run(caller: str) -> None:
                outcomes[caller] = await _call(pool, server.url, caller, acts[caller])

            async with anyio.create_task_group() as calls:
                for caller in acts:
                    calls.start_soon(run, caller)
            scopes = {SCOPES[act.kind] for act in acts.values()}
            strict = "connection" not in scopes
            for caller, (kind, value) in outcomes.items():
                _check(caller, acts[caller], kind, value, strict, server.errors)
            if scopes == {"stream"} and max_streams in (0, 100):  # all on the probe's
                assert pool.statistics().opened == 1  # connection, which stayed usable
            probe = await _call(pool, server.url, "probe")
            if not strict and probe[0] == "error":  # a connection broken after its last call
                probe = await _call(pool, server.url, "probe")  # is found by the next one
            assert probe == ("ok", payload("probe"))
            stats = pool.statistics()
            assert (stats.streams, stats.busy, stats.waiting) == (0, 0, 0), stats
            assert stats.open == stats.idle, stats
            await pool.aclose()
            assert pool.statistics().open == 0
            while server.open:  # noqa: ASYNC110 (the server sees every connection closed;
                await anyio.sleep(0.001)  # an Event cannot cross the two loops)


async def _call(
    pool: PooledTransport, url: str, caller: str, act: Act | None = None
) -> tuple[str, object]:
    """("ok", body), ("error", the httpx.TransportError), ("raw", any other exception) or
    ("hang", None)."""
    target = split_url(f"{url}/v1beta/models/m:generateContent")
    headers = [*DEFAULT_HEADERS, (b"content-type", b"application/json"), (b"x-id", caller.encode())]
    timeout = SILENT if act is not None and act.kind == "silence" else PATIENT
    patience = act.patience if act is not None else None
    with (
        anyio.move_on_after(HANG) as hang,
        anyio.move_on_after(HANG if patience is None else patience),
    ):
        try:
            response = await pool.exchange("POST", target, headers, BODY, read_timeout=timeout)
            try:
                body = b"".join([chunk async for chunk in response.aiter_raw()])
            finally:
                await response.aclose()
            if response.status_code != 200:
                return "status", (response.status_code, body)
            return "ok", body
        except httpx.TransportError as error:
            return "error", error
        except Exception as error:  # an exception group, or a raw one: both are bugs
            return "raw", error
    return ("hang", None) if hang.cancelled_caught or patience is None else ("cancelled", None)


def _check(
    caller: str, act: Act, kind: str, value: object, strict: bool, errors: list[str]
) -> None:
    where = f"{caller} {act!r} ended in {kind}: {value!r} (the server's own errors: {errors})"
    assert kind in ("ok", "error") or (kind == "cancelled" and act.patience is not None), where
    if kind == "ok":
        assert value == payload(caller), where
        assert MUST[act.kind] != "fail", where
    elif strict and kind == "error":
        assert MUST[act.kind] != "succeed", where
