"""Web reads on a streaming replica (the `replique` database alias, `DATABASE_REPLICA_URL`).

Only the map's and the API's reads go there: GET / HEAD / OPTIONS requests under
`DATABASE_REPLICA_PATHS` (`RepliqueMiddleware` marks the request, `RepliqueRouter` and
`lecture_connexion` obey the mark). Everything else reads and writes the primary (`default`): the
admin and back office, every POST, anything inside a transaction, and a client's reads for
`DATABASE_REPLICA_STICKY_S` seconds after a request of its own that wrote (a cookie), so that the
writer sees its write at once while the others see it once the replica has replayed it.

Without `DATABASE_REPLICA_URL` there is no `replique` alias and every read is on the primary."""

from __future__ import annotations

import contextvars

from django.conf import settings
from django.db import connections

ALIAS_PRIMAIRE = "default"
ALIAS_REPLIQUE = "replique"
COOKIE_ECRITURE = "lecture_primaire"  # "this client wrote lately": its reads stay on the primary
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# Per request (gunicorn's gthread workers run one request per thread, each in its own context).
_sur_replique: contextvars.ContextVar[bool] = contextvars.ContextVar("sur_replique", default=False)
_a_ecrit: contextvars.ContextVar[list | None] = contextvars.ContextVar("a_ecrit", default=None)


def replique_configuree() -> bool:
    return ALIAS_REPLIQUE in settings.DATABASES


def lecture_alias() -> str:
    """The alias this request's reads use: the replica when the request was marked for it, it has
    written nothing yet and the primary's connection is not inside a transaction; else the primary."""
    if not _sur_replique.get() or connections[ALIAS_PRIMAIRE].in_atomic_block:
        return ALIAS_PRIMAIRE
    return ALIAS_REPLIQUE


def lecture_connexion():
    """The connection of this request's reads (raw SQL of the selectors: `lecture_connexion().cursor()`)."""
    return connections[lecture_alias()]


def _ecriture_notee() -> None:
    ecrit = _a_ecrit.get()
    if ecrit is not None:
        ecrit.append(True)
    _sur_replique.set(False)  # its next reads: the primary, which holds what it just wrote


class RepliqueRouter:
    """Reads of a marked request on the replica; writes (and the reads after them) on the primary;
    nothing migrated on the replica (it replays the primary's WAL)."""

    def db_for_read(self, model, **hints):
        return ALIAS_REPLIQUE if lecture_alias() == ALIAS_REPLIQUE else None

    def db_for_write(self, model, **hints):
        _ecriture_notee()
        return None

    def allow_relation(self, obj1, obj2, **hints):
        dbs = {obj1._state.db or ALIAS_PRIMAIRE, obj2._state.db or ALIAS_PRIMAIRE}
        return True if dbs <= {ALIAS_PRIMAIRE, ALIAS_REPLIQUE} else None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return False if db == ALIAS_REPLIQUE else None


def _chemin_sur_replique(path: str) -> bool:
    return any(path.startswith(prefix) for prefix in settings.DATABASE_REPLICA_PATHS)


class RepliqueMiddleware:
    """Marks the requests whose reads may use the replica, and the clients that just wrote."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replique_configuree():
            return self.get_response(request)
        lecture = (request.method in SAFE_METHODS and _chemin_sur_replique(request.path_info)
                   and COOKIE_ECRITURE not in request.COOKIES)
        jeton_replique = _sur_replique.set(lecture)
        jeton_ecrit = _a_ecrit.set([])
        try:
            # a request that may write (or did, through the ORM) pins its client to the primary
            ecrit = request.method not in SAFE_METHODS
            try:
                response = self.get_response(request)
            finally:
                ecrit = ecrit or bool(_a_ecrit.get())
        finally:
            _sur_replique.reset(jeton_replique)
            _a_ecrit.reset(jeton_ecrit)
        if ecrit and response.status_code < 500:
            response.set_cookie(COOKIE_ECRITURE, "1", max_age=settings.DATABASE_REPLICA_STICKY_S,
                                httponly=True, samesite="Lax", secure=request.is_secure())
        return response
