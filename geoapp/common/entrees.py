"""What comes in with a request, checked once for every endpoint and page before any view runs:
the query parameters (names and values), the path's segments and the cookies. PostgreSQL refuses
NUL in text and psycopg cannot encode a lone surrogate, so either one reaching a query answered a
500; a value that is not UTF-8 became U+FFFD and was searched as such. Now such a request gets a
400 naming the parameter: JSON `{"erreur": …, "parametre": …}` on the API, the HTML page
`400.html` elsewhere. A cookie carrying such characters is dropped (as if absent).

`texte_refus` is pure (tested without Django); `EntreesMiddleware` and `CookiesMiddleware` are
its thin callers."""

from __future__ import annotations

import re
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.core.exceptions import TooManyFieldsSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve

# NUL (refused by PostgreSQL in text) and the surrogates (not encodable in UTF-8)
REFUSES = re.compile("[\x00\ud800-\udfff]")
CHEMIN = "chemin"  # the parameter named when a path segment outside a URL pattern's names is at fault
# under /api/ but pages (HTML): the documentation
API_PREFIXE = "/api/"
API_PAGES = ("/api/docs/", "/api/redoc/")


def texte_refus(texte: str, *, longueur_max: int) -> str | None:
    """Why `texte` cannot be a parameter (a French sentence), or None when it can."""
    trouve = REFUSES.search(texte)
    if trouve:
        if trouve.group() == "\x00":
            return "contient un caractère nul (U+0000), refusé"
        return f"contient un caractère invalide (U+{ord(trouve.group()):04X}), refusé"
    if len(texte) > longueur_max:
        return f"trop long : {len(texte)} caractères, au plus {longueur_max}"
    return None


def octets_refus(octets: bytes) -> str | None:
    """Why these raw (percent-decoded) bytes are not acceptable text, or None."""
    try:
        octets.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"n'est pas du texte UTF-8 valide (octet 0x{octets[exc.start]:02X} en position {exc.start})"
    return None


def chaine_requete_refus(chaine: bytes) -> tuple[str, str] | None:
    """(parameter, reason) for the first parameter of a raw query string (`a=1&b=2`, the bytes
    as sent, percent-encoded or not) whose name or value is not UTF-8; None when all are."""
    for morceau in chaine.split(b"&"):
        if not morceau:
            continue
        nom, _, valeur = morceau.partition(b"=")
        nom_octets = unquote_to_bytes(nom.replace(b"+", b" "))
        if (raison := octets_refus(nom_octets)) is not None:
            return nom_octets.decode("utf-8", "replace"), f"nom du paramètre {raison}"
        if (raison := octets_refus(unquote_to_bytes(valeur.replace(b"+", b" ")))) is not None:
            return nom_octets.decode("utf-8"), raison
    return None


def requete_refus(request: HttpRequest, *, longueur_max: int) -> tuple[str, str] | None:
    """(parameter, reason) for the first thing wrong in the request's path or query parameters."""
    # (bytes of the path that are not UTF-8 stay percent-encoded in `path_info`: Django's doing)
    for segment in request.path_info.split("/"):
        if (raison := texte_refus(segment, longueur_max=longueur_max)) is not None:
            return _segment_nom(request.path_info, segment), raison
    # the query string's bytes as WSGI gives them (latin-1), as Django's QueryDict reads them
    brute = request.META.get("QUERY_STRING", "").encode("iso-8859-1", "replace")
    if (mauvais := chaine_requete_refus(brute)) is not None:
        return mauvais
    for nom, valeurs in request.GET.lists():
        if (raison := texte_refus(nom, longueur_max=longueur_max)) is not None:
            return nom, f"nom du paramètre {raison}"
        for valeur in valeurs:
            if (raison := texte_refus(valeur, longueur_max=longueur_max)) is not None:
                return nom, raison
    return None


def _segment_nom(path: str, segment: str) -> str:
    """The URL pattern's name for the segment at fault (`uuid`, `code`…), else `chemin`."""
    try:
        match = resolve(path)
    except Resolver404:
        return CHEMIN
    for nom, valeur in match.kwargs.items():
        if isinstance(valeur, str) and segment and segment in valeur:
            return nom
    return CHEMIN


def est_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIXE) and not request.path_info.startswith(API_PAGES)


def reponse_400(request: HttpRequest, *, parametre: str, erreur: str) -> HttpResponse:
    """The API's error shape, or the HTML 400 page (the message rendered as text)."""
    if est_api(request):
        return JsonResponse({"erreur": erreur, "parametre": parametre}, status=400,
                            json_dumps_params={"ensure_ascii": False})
    return HttpResponse(render_to_string("400.html", {"erreur": erreur, "parametre": parametre}, request=request),
                        status=400)


class CookiesMiddleware:
    """Before the session: a cookie that could not be looked up (NUL, surrogate) is dropped."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for nom in [n for n, v in request.COOKIES.items() if REFUSES.search(n + v)]:
            del request.COOKIES[nom]
        return self.get_response(request)


class EntreesMiddleware:
    """Before the views (after CORS, so that the API's 400 carry its headers): a bad path segment
    or query parameter answers 400 naming it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        longueur_max = settings.ENTREES_PARAMETRE_MAX_CARACTERES
        try:
            mauvais = requete_refus(request, longueur_max=longueur_max)
        except TooManyFieldsSent:
            return reponse_400(request, parametre="*", erreur=f"trop de paramètres : au plus "
                                                              f"{settings.DATA_UPLOAD_MAX_NUMBER_FIELDS}")
        if mauvais is not None:
            parametre, raison = mauvais
            return reponse_400(request, parametre=parametre, erreur=f"{parametre} {raison}")
        return self.get_response(request)
