"""GET /api/v1/adresses?q=...&limit=5: the offline geocoder, in the GeoJSON shape of the BAN API.
A self-contained view (no DRF router): bad parameters get a 400 with a JSON message naming them."""

from __future__ import annotations

import psycopg
from django.db import ProgrammingError
from django.http import JsonResponse
from django.views.decorators.http import require_GET

from .resultats import collection_geojson
from .selectors import adresse_rechercher

LIMIT_MAX = 20


def _erreur(parametre: str, message: str) -> JsonResponse:
    """The error shape of the whole API (geoapp.api.exceptions): {"erreur", "parametre"}."""
    return JsonResponse({"erreur": message, "parametre": parametre}, status=400)


@require_GET
def adresses(request):
    q = (request.GET.get("q") or "").strip()
    if len(q) < 3 or len(q) > 200 or not any(c.isalnum() for c in q):
        return _erreur("q", "q doit contenir entre 3 et 200 caractères, dont au moins une lettre ou un chiffre")
    raw_limit = request.GET.get("limit", "5")
    try:
        limit = int(raw_limit)
    except ValueError:
        return _erreur("limit", f"limit doit être un entier entre 1 et {LIMIT_MAX}")
    if not 1 <= limit <= LIMIT_MAX:
        return _erreur("limit", f"limit doit être un entier entre 1 et {LIMIT_MAX}")
    try:
        resultats = adresse_rechercher(q=q, limit=limit)
    except ProgrammingError as exc:
        if not isinstance(exc.__cause__, psycopg.errors.UndefinedTable):
            raise
        # A fresh deployment: the BAN has not been cloned into the warehouse yet.
        return JsonResponse({"erreur": "le géocodeur n'est pas encore prêt : la BAN n'a pas été clonée "
                                       "(flow clone-ban)"}, status=503, headers={"Retry-After": "3600"})
    return JsonResponse(collection_geojson(q=q, limit=limit, resultats=resultats), json_dumps_params={"ensure_ascii": False})
