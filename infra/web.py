"""Security headers for every aiohttp web surface (dispatcher web app, ops monitor, worker pages).

One middleware, :func:`security_headers`, added to each ``web.Application``: a Content Security
Policy that allows only the page's own scripts, styles and forms (and no framing), the legacy
``X-Frame-Options``, ``X-Content-Type-Options: nosniff`` and a ``Referrer-Policy`` that keeps
ack tokens and dashboard paths out of other sites' logs. ``Cache-Control: no-store`` keeps pages
that hold an ack link or operational state out of shared caches.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

__all__ = ["SECURITY_HEADERS", "security_headers"]

SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                                "img-src 'self' data:; connect-src 'self'; form-action 'self'; "
                                "frame-ancestors 'none'; base-uri 'none'; object-src 'none'"),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

_Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def security_headers(request: web.Request, handler: _Handler) -> web.StreamResponse:
    """Add :data:`SECURITY_HEADERS` to every answer, errors and redirects included (a handler's own
    ``Cache-Control`` is kept)."""
    try:
        response = await handler(request)
    except web.HTTPException as exc:  # 404, 405, redirects raised by handlers
        _apply(exc)
        raise
    _apply(response)
    return response


def _apply(response: web.StreamResponse) -> None:
    if response.prepared:  # pragma: no cover - a streamed answer already sent its headers
        return
    for name, value in SECURITY_HEADERS.items():
        if name == "Cache-Control" and name in response.headers:
            continue
        response.headers[name] = value
