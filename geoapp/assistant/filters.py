"""Parsing of l'assistant's parameters (API and pages): a bad one raises `ParametreInvalide`,
answered 400 naming it (JSON on the API, a page saying it elsewhere)."""

from __future__ import annotations

from django.conf import settings

from geoapp.api.filters import ParametreInvalide, parse_int

TEXTE_MAX = 200  # characters of a query


def texte_parse(params, name: str, *, requis: bool = True, maximum: int = TEXTE_MAX) -> str:
    """A free text parameter: stripped, at most `maximum` characters, no NUL byte (PostgreSQL
    refuses them in text)."""
    raw = params.get(name)
    if raw is None or not raw.strip():
        if requis:
            raise ParametreInvalide(name, f"le paramètre {name} est requis")
        return ""
    if "\x00" in raw:
        raise ParametreInvalide(name, "caractère NUL interdit")
    texte = raw.strip()
    if len(texte) > maximum:
        raise ParametreInvalide(name, f"au plus {maximum} caractères")
    return texte


def recherche_parse(params) -> tuple[str, int]:
    """`q` and `limit` of the product search."""
    return (texte_parse(params, "q"),
            parse_int(params, "limit", default=5, minimum=1, maximum=settings.ASSISTANT_RESULTATS_MAX))


def choix_parse(params) -> dict:
    """What a citizen chose among a search's results: `produit` (slug), `rang` (1 = first), and
    `objet` (the name or synonym chosen, shown on the product's page), and either `recherche` (the logged search's id, from the results page) or `q` and `n` (the
    suggestions as they typed)."""
    choix = {"produit": texte_parse(params, "produit", maximum=255),
             "rang": parse_int(params, "rang", default=1, minimum=1, maximum=100),
             "objet": texte_parse(params, "objet", requis=False, maximum=255)}
    if params.get("recherche"):
        choix["recherche"] = parse_int(params, "recherche", default=0, minimum=1, maximum=2**31 - 1)
    else:
        choix["q"] = texte_parse(params, "q", requis=False)
        choix["n"] = parse_int(params, "n", default=0, minimum=0, maximum=100)
    return choix
