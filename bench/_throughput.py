"""Per-request overhead: requests per second for `generate_content` and `embed_content`
against nginx's canned answers, every client at each concurrency, median of the runs.

The runs are interleaved (each concurrency, each run, every client in turn, the order rotated
from run to run) so that a slow moment of this shared machine falls on all clients alike.
`embed_content` carries one content per call with genaio's coalescing off, so that each call
is one request for every client.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from _table import Check, Section, median, num, ratio

if TYPE_CHECKING:
    from run import Bench

__all__ = ["run"]

CLIENTS = {
    "generate": (
        "genaio-trio",
        "genaio-asyncio",
        "sdk-httpx2",
        "sdk-aiohttp",
        "httpx-trio",
        "httpx2-trio",
        "aiohttp-raw",
    ),
    "embed": (
        "genaio-trio",
        "genaio-asyncio",
        "sdk-httpx2",
        "sdk-aiohttp",
        "httpx2-trio",
        "aiohttp-raw",
    ),
}
LABELS = {
    "genaio-trio": "genaio on trio",
    "genaio-asyncio": "genaio on asyncio",
    "sdk-httpx2": "google-genai on asyncio, httpx2 (default)",
    "sdk-aiohttp": "google-genai on asyncio, aiohttp",
    "httpx-trio": "raw httpx 0.28 on trio",
    "httpx2-trio": "raw httpx2 on trio",
    "aiohttp-raw": "raw aiohttp on asyncio",
}
METHOD = {"generate": "generate_content", "embed": "embed_content"}
TARGET_CONCURRENCY = 64


def run(bench: Bench) -> tuple[list[Section], list[Check]]:
    p = bench.params
    sections, checks = [], []
    url = bench.nginx.urls["http"]
    for endpoint, levels in (("generate", p.levels_generate), ("embed", p.levels_embed)):
        clients = bench.usable(CLIENTS[endpoint])
        rates: defaultdict[tuple[str, int], list[float]] = defaultdict(list)
        cpu: defaultdict[tuple[str, int], list[float]] = defaultdict(list)
        failures: dict[tuple[str, int], str] = {}
        for c in levels:
            for rep in range(p.runs):
                order = clients[rep % len(clients) :] + clients[: rep % len(clients)]
                for client in order:
                    bench.progress(f"throughput {endpoint} c={c} run {rep + 1} {client}")
                    result = bench.workers.get(client).request(
                        "_load",
                        "op_load",
                        timeout=p.cap + 60,
                        url=url,
                        endpoint=endpoint,
                        concurrency=c,
                        requests=p.requests,
                        cap=p.cap,
                        warmup=min(max(2 * c, 100), 300),
                    )
                    if "error" in result or result["errors"]:
                        failures[(client, c)] = result.get("error") or result["first_error"]
                        continue
                    rates[(client, c)].append(result["rate"])
                    cpu[(client, c)].append(result["cpu_us"])
        med = {key: median(values) for key, values in rates.items()}
        target_c = TARGET_CONCURRENCY if TARGET_CONCURRENCY in levels else levels[-1]
        section = Section(
            f"{METHOD[endpoint]}: requests per second (median of {p.runs})",
            ["client", *(f"c={c}" for c in levels), f"CPU µs/req c={target_c}"],
        )
        for client in clients:
            section.rows.append(
                [
                    LABELS[client],
                    *(num(med.get((client, c))) for c in levels),
                    num(median(cpu.get((client, target_c), []))),
                ]
            )

        vs_sdk, vs_httpx2 = {}, {}
        for c in levels:
            genaio = med.get(("genaio-trio", c))
            sdk = [v for s in ("sdk-httpx2", "sdk-aiohttp") if (v := med.get((s, c))) is not None]
            vs_sdk[c] = ratio(genaio, max(sdk, default=None))
            vs_httpx2[c] = ratio(genaio, med.get(("httpx2-trio", c)))
        for label, ratios in (
            ("**genaio on trio / SDK's best**", vs_sdk),
            ("**genaio on trio / raw httpx2 on trio**", vs_httpx2),
        ):
            section.rows.append([label, *(num(ratios[c], 2, "x") for c in levels), ""])
        for (client, c), error in failures.items():
            section.notes.append(f"{LABELS[client]} at c={c} failed: {error}")
        sections.append(section)
        v = vs_sdk[target_c]
        checks.append(
            Check(
                f"{METHOD[endpoint]}, c={target_c}: genaio/trio >= 2x the SDK's best transport",
                num(v, 2, "x"),
                None if v is None else v >= 2.0,
            )
        )
        v = vs_httpx2[target_c]
        checks.append(
            Check(
                f"{METHOD[endpoint]}, c={target_c}: genaio/trio >= raw httpx2 on trio",
                num(v, 2, "x"),
                None if v is None else v >= 1.0,
            )
        )
    return sections, checks
