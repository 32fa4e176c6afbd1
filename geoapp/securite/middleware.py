"""Per-client rate limits on every public endpoint that costs, counted in the shared cache (one
count for every web process and host), the client being seen through the trusted proxies."""

from __future__ import annotations

import re

from django.conf import settings
from django.http import HttpResponse, JsonResponse

from .selectors import client_adresse_get
from .services import debit_parse, limite_compter

# (portée, chemins, réglage du débit): the first pattern that matches counts. Static files are
# served by WhiteNoise before this middleware; the admin has its own login lockout.
LIMITES = [
    ("adresses", re.compile(r"^/api/v1/adresses"), "ADRESSES_THROTTLE_RATE"),
    ("tuiles", re.compile(r"^/api/v1/tiles/"), "TILES_THROTTLE_RATE"),
    ("api", re.compile(r"^/api/"), "API_THROTTLE_RATE"),
    ("fonds", re.compile(r"^/carte/fond/"), "TILES_THROTTLE_RATE"),
    ("pages", re.compile(r"^/(?!static/|admin/|media/)"), "PAGES_THROTTLE_RATE"),
]


def limite_pour(path: str) -> tuple[str, str] | None:
    for portee, motif, reglage in LIMITES:
        if motif.match(path):
            return portee, reglage
    return None


class LimiteDebitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limite = limite_pour(request.path_info)
        if limite is not None:
            portee, reglage = limite
            debit = debit_parse(debit=getattr(settings, reglage, None))  # read each time: overridable
            if debit is not None:
                attente = limite_compter(portee=portee, client=client_adresse_get(meta=request.META), debit=debit)
                if attente is not None:
                    return trop_de_requetes(path=request.path_info, attente=attente)
        return self.get_response(request)


def trop_de_requetes(*, path: str, attente: int) -> HttpResponse:
    message = f"trop de requêtes : réessayez dans {attente} s"
    if path.startswith("/api/"):  # the API's error shape (geoapp.api.exceptions)
        response = JsonResponse({"erreur": message}, status=429, json_dumps_params={"ensure_ascii": False})
    else:
        response = HttpResponse(message[:1].upper() + message[1:] + ".", status=429,
                                content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(attente)
    return response
