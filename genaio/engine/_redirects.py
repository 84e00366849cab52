"""Which redirects are followed: same-origin ones only, at most `MAX_REDIRECTS` for one request.

A request carries the credentials of its origin (the API key, a bearer token); following a
redirect to another origin would hand them over, so such a redirect is an error naming the
location instead. Plain functions; the transport performs what they return.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import attrs

from genaio.engine._calls import PreparedRequest
from genaio.engine._config import MAX_REDIRECTS
from genaio.engine._errors import api_error

__all__ = ["REDIRECTS", "redirected", "too_many_redirects"]

REDIRECTS = frozenset({301, 302, 303, 307, 308})


def redirected(request: PreparedRequest, status: int, location: str) -> PreparedRequest:
    """The request a redirect asks for, if it stays on the request's origin (as browsers and
    httpx do, a 303, or a 301/302 after a POST, becomes a GET without a body); else raises the
    typed error."""
    try:
        url = urljoin(request.url, location)
        same_origin = _origin(url) == _origin(request.url)
    except ValueError:  # a location that is not a URL
        raise _redirect_error(
            status, "BAD_REDIRECT", "a redirect to an unusable location"
        ) from None
    if not same_origin:
        shown = urlsplit(url)._replace(query="", fragment="").geturl()  # a query may hold a key
        raise _redirect_error(
            status, "REDIRECT_NOT_FOLLOWED", f"not following a redirect to another origin: {shown}"
        )
    method, content = request.method, request.content
    if (status == 303 and method != "HEAD") or (status in (301, 302) and method == "POST"):
        method, content = "GET", None
    return attrs.evolve(request, method=method, url=url, query=None, content=content)


def too_many_redirects(status: int) -> Exception:
    return _redirect_error(status, "TOO_MANY_REDIRECTS", f"more than {MAX_REDIRECTS} redirects")


def _origin(url: str) -> tuple[str, str | None, int]:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return parts.scheme.lower(), parts.hostname, port


def _redirect_error(status: int, reason: str, message: str) -> Exception:
    return api_error(status, {"error": {"code": status, "message": message, "status": reason}})
