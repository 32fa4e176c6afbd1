"""Who the client is, as seen through the configured number of trusted reverse proxies."""

from __future__ import annotations

from django.conf import settings


def client_adresse_get(*, meta: dict, proxies: int | None = None) -> str:
    """The client's address. With no trusted proxy (`TRUSTED_PROXY_COUNT` = 0, the default) it is
    the peer of the connection, REMOTE_ADDR: `X-Forwarded-For` is whatever the client wrote. With N
    trusted proxies in front, each appends the address it received the request from, so the client
    is the Nth address from the right of `X-Forwarded-For` (what is left of it was written by the
    client and is ignored); with fewer addresses than N, the leftmost one."""
    n = settings.TRUSTED_PROXY_COUNT if proxies is None else proxies
    remote = meta.get("REMOTE_ADDR") or ""
    if n <= 0:
        return remote
    adresses = [a.strip() for a in (meta.get("HTTP_X_FORWARDED_FOR") or "").split(",") if a.strip()]
    if not adresses:
        return remote
    return adresses[-min(n, len(adresses))]
