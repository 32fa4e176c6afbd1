"""Counts kept in the shared cache (Redis: one count for every web process and host): requests per
client and window for the rate limits, failed admin logins for the lockout."""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

log = logging.getLogger(__name__)

PERIODES = {"s": 1, "m": 60, "h": 3600, "d": 86400}
CACHE_REESSAI_S = 10  # after a failure to reach the cache, the rate limits are off that long (per process)
_cache_injoignable_jusqua = 0.0


@dataclass(frozen=True)
class Debit:
    requetes: int
    secondes: int


def debit_parse(*, debit: str | None) -> Debit | None:
    """`600/min`, `10/s`, `1000/h`, `5000/day` (the unit's first letter counts); empty: no limit."""
    if not debit:
        return None
    nombre, _, periode = str(debit).partition("/")
    try:
        return Debit(requetes=int(nombre), secondes=PERIODES[periode.strip()[:1].lower()])
    except (ValueError, KeyError):
        raise ValueError(f"débit invalide {debit!r} : attendu <nombre>/<s|min|h|day>") from None


def _cle(*parts: str) -> str:
    # a client address or a user name may hold anything: hashed into a safe, bounded key
    return hashlib.blake2b("\x1f".join(parts).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def limite_compter(*, portee: str, client: str, debit: Debit) -> int | None:
    """Count one request of `client` in `portee`'s current window. None when it is within the rate,
    else the seconds before the window ends (Retry-After). Fixed windows of the rate's period, one
    atomic counter each in the shared cache. If the cache cannot be reached, requests pass (logged)."""
    global _cache_injoignable_jusqua
    now = time.time()
    if now < _cache_injoignable_jusqua:
        return None
    fenetre = int(now) // debit.secondes
    try:
        cle = f"limite:{portee}:{_cle(client)}:{fenetre}"
        compte = cache.compter(cle, timeout=debit.secondes)
        if compte <= debit.requetes:
            return None
        reste = cache.ttl(cle) or debit.secondes  # only when refused: the end of the window
    except Exception:  # the site stays up without its rate limits, loudly; not retried for a while,
        # so that requests do not each wait for the connection's timeout
        _cache_injoignable_jusqua = time.time() + CACHE_REESSAI_S
        log.exception("limites de débit : cache injoignable, requêtes acceptées pendant %s s", CACHE_REESSAI_S)
        return None
    return max(1, reste)


def _cles_connexion(*, client: str, identifiant: str) -> list[tuple[str, int]]:
    return [(f"connexion:client:{_cle(client)}", settings.ADMIN_LOGIN_FAILURES_PER_CLIENT),
            (f"connexion:compte:{_cle(client, identifiant.casefold())}", settings.ADMIN_LOGIN_FAILURES)]


def connexion_verrou_get(*, client: str, identifiant: str) -> int | None:
    """Seconds left of the lockout of this client (or of this account from this client), else None."""
    try:
        for cle, maximum in _cles_connexion(client=client, identifiant=identifiant):
            if (cache.get(cle) or 0) >= maximum:
                return max(1, cache.ttl(cle) or settings.ADMIN_LOGIN_LOCKOUT_S)
    except Exception:
        log.exception("verrouillage des connexions : cache injoignable")
    return None


def connexion_echec_noter(*, client: str, identifiant: str) -> None:
    """One more failed login for this client and for this account from this client; each count
    lives ADMIN_LOGIN_LOCKOUT_S seconds after the first failure."""
    try:
        for cle, _ in _cles_connexion(client=client, identifiant=identifiant):
            cache.compter(cle, timeout=settings.ADMIN_LOGIN_LOCKOUT_S)
    except Exception:
        log.exception("verrouillage des connexions : cache injoignable")
    log.warning("connexion à l'administration refusée : %r depuis %s", identifiant[:150], client)


def connexion_reussite_noter(*, client: str, identifiant: str) -> None:
    """A successful login forgets the failures of this account from this client."""
    try:
        cache.delete(_cles_connexion(client=client, identifiant=identifiant)[1][0])
    except Exception:
        log.exception("verrouillage des connexions : cache injoignable")
