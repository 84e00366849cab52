"""HTTP/2 beside HTTP/1.1, both over TLS to nginx (a throwaway certificate the client is told to
trust), with plain HTTP/1.1 as the reference: HTTP/2 on genaio's own pool
(`async_client_args={"http2": True}`, `engine/_http2.py`), and through httpx's pool and h2 (a
transport of httpx's given to the client), which is what `http2=True` did before."""

from __future__ import annotations

from typing import TYPE_CHECKING

from _table import Check, Section, median, num, ratio

if TYPE_CHECKING:
    from run import Bench

__all__ = ["run"]

LEVELS = (16, 64)


def run(bench: Bench) -> tuple[list[Section], list[Check]]:
    p = bench.params
    urls = bench.nginx.urls
    if "h2" not in urls:
        return [Section("HTTP/2", ["—"], notes=["skipped: no openssl to make a certificate"])], []
    variants = {
        "HTTP/1.1, plain (genaio's pool)": {"url": urls["http"]},
        "HTTP/1.1 over TLS (genaio's pool, `http2=False`)": {
            "url": urls["tls"],
            "cafile": str(bench.nginx.cert),
        },
        "HTTP/2 over TLS (genaio's pool, the default)": {
            "url": urls["h2"],
            "cafile": str(bench.nginx.cert),
            "http2": True,
        },
        "HTTP/2 over TLS (httpx's pool + h2)": {
            "url": urls["h2"],
            "cafile": str(bench.nginx.cert),
            "http2": "httpx",
        },
    }
    rates: dict[tuple[str, int], list[float]] = {}
    errors: list[str] = []
    for c in LEVELS:
        for _ in range(max(1, p.runs)):
            for label, options in variants.items():
                bench.progress(f"http2 c={c} {label}")
                r = bench.workers.get("genaio-trio").request(
                    "_load",
                    "op_load",
                    timeout=p.cap + 60,
                    endpoint="generate",
                    concurrency=c,
                    requests=p.http2_requests,
                    cap=p.cap,
                    warmup=min(4 * c, 500),
                    **options,
                )
                if "error" in r or r["errors"]:
                    errors.append(f"{label} c={c}: {r.get('error') or r['first_error']}")
                    continue
                rates.setdefault((label, c), []).append(r["rate"])
    section = Section(
        f"HTTP/2 beside HTTP/1.1: genaio on trio, generate_content, requests per second "
        f"(median of {max(1, p.runs)})",
        ["transport", *(f"c={c}" for c in LEVELS), "vs HTTP/1.1 over TLS"],
        notes=errors,
    )
    tls = "HTTP/1.1 over TLS (genaio's pool, `http2=False`)"
    for label in variants:
        meds = {c: median(rates.get((label, c), [])) for c in LEVELS}
        tls_med = median(rates.get((tls, LEVELS[-1]), []))
        section.rows.append(
            [
                label,
                *(num(meds[c]) for c in LEVELS),
                num(ratio(meds[LEVELS[-1]], tls_med), 2, "x") + f" at c={LEVELS[-1]}",
            ]
        )
    return [section], []
