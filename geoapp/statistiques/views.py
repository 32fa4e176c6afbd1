"""/statistiques/: the latest snapshot and the evolution over time, each chart (server-side SVG)
beside its table: readable without JavaScript, nothing from a CDN."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_safe

from geoapp.acteurs.models import Action, ActeurType, SousCategorieObjet, Source
from geoapp.territoires.models import Departement

from . import graphiques, selectors
from .models import Indicateur

PARTS = (Indicateur.PART_SIRET, Indicateur.PART_GEOCODAGE_PRECIS, Indicateur.PART_COORDONNEES_EMPILEES)


def _pourcent(v: float) -> str:
    return f"{v * 100:.1f} %".replace(".", ",")


def _km(v: float) -> str:
    return f"{v / 1000:.1f} km".replace(".", ",")


def _entier(v: float) -> str:
    return f"{int(v):,}".replace(",", "\u202f")


def _libelles(modele, cles) -> dict[str, str]:
    return {code: (libelle or code) for code, libelle in modele.objects.filter(pk__in=list(cles))
            .values_list("pk", "libelle" if modele is not Departement else "nom")}


def _serie_libellee(serie, modele) -> list[tuple[str, float]]:
    if serie is None:
        return []
    noms = _libelles(modele, [c for c, _ in serie.valeurs])
    return [(f"{noms[c]} ({c})" if c in noms and noms[c] != c else c, v) for c, v in serie.valeurs]


@require_safe
def statistiques(request):
    releve = selectors.releve_dernier()
    contexte = {"releve": releve}
    if releve is None:
        return render(request, "statistiques/statistiques.html", contexte)
    series = selectors.releve_series(releve=releve)
    total = series.get(Indicateur.ACTEURS)
    evolution = [(jour.isoformat(), valeurs[Indicateur.ACTEURS])
                 for jour, valeurs in selectors.evolution(indicateurs=[Indicateur.ACTEURS])]
    evolution_parts = [(jour.isoformat(), [valeurs.get(p) for p in PARTS])
                       for jour, valeurs in selectors.evolution(indicateurs=list(PARTS))]
    parts = [(Indicateur(p).label, series[p].valeurs[0][1]) for p in PARTS if p in series]

    repartitions = []
    for indicateur, modele, identifiant in (
        (Indicateur.PAR_SOURCE, Source, "par-source"), (Indicateur.PAR_ACTION, Action, "par-action"),
        (Indicateur.PAR_SOUS_CATEGORIE, SousCategorieObjet, "par-sous-categorie"),
        (Indicateur.PAR_TYPE, ActeurType, "par-type"),
    ):
        valeurs = _serie_libellee(series.get(indicateur), modele)
        repartitions.append({"id": identifiant, "titre": Indicateur(indicateur).label.capitalize(), "valeurs": valeurs,
                             "graphique": graphiques.barres(valeurs, format_valeur=_entier)})

    distances = _serie_libellee(series.get(Indicateur.DISTANCE_MEDIANE), Action)
    distances.sort(key=lambda kv: kv[1])

    par_departement = dict(series[Indicateur.PAR_DEPARTEMENT].valeurs) if Indicateur.PAR_DEPARTEMENT in series else {}
    contours, etendue = selectors.departements_contours()
    carte = graphiques.carte_departements(contours, etendue, par_departement)
    noms_dep = _libelles(Departement, par_departement)
    departements = sorted(((code, noms_dep.get(code, code), n) for code, n in par_departement.items()),
                          key=lambda t: t[0])
    densites = {d["code"]: d["densite"] for d in (carte or {}).get("departements", [])}

    suggestions: dict[str, dict[str, float]] = {}
    for indicateur in selectors.SUGGESTIONS_STATUTS.values():
        for cle, v in (series[indicateur].valeurs if indicateur in series else []):
            suggestions.setdefault(cle, {})[indicateur] = v
    noms_sources = _libelles(Source, suggestions)
    suggestions_lignes = [{"source": f"{noms_sources.get(c, c)} ({c})" if noms_sources.get(c, c) != c else c,
                           "a_valider": int(v.get(Indicateur.SUGGESTIONS_A_VALIDER, 0)),
                           "appliquees": int(v.get(Indicateur.SUGGESTIONS_APPLIQUEES, 0)),
                           "rejetees": int(v.get(Indicateur.SUGGESTIONS_REJETEES, 0))}
                          for c, v in sorted(suggestions.items())]

    recherches_indicateurs = (Indicateur.RECHERCHES, Indicateur.RECHERCHES_SANS_RESULTAT)
    recherches = [(Indicateur(i).label, series[i].valeurs[0][1]) for i in recherches_indicateurs if i in series]
    evolution_recherches = [(jour.isoformat(), [_entier(valeurs[i]) if i in valeurs else "—" for i in recherches_indicateurs])
                            for jour, valeurs in selectors.evolution(indicateurs=list(recherches_indicateurs))]

    contexte |= {
        "recherches": [(libelle, _entier(v)) for libelle, v in recherches],
        "graphique_recherches": graphiques.barres(recherches, format_valeur=_entier),
        "evolution_recherches": evolution_recherches,
        "recherches_libelles": [Indicateur(i).label for i in recherches_indicateurs],
        "total": int(total.valeurs[0][1]) if total else 0,
        "evolution": evolution, "courbe": graphiques.courbe(evolution, format_valeur=_entier),
        "parts": [(libelle, _pourcent(v)) for libelle, v in parts],
        "graphique_parts": graphiques.barres(parts, format_valeur=_pourcent),
        "evolution_parts": [(jour, [_pourcent(v) if v is not None else "—" for v in vals])
                            for jour, vals in evolution_parts],
        "parts_libelles": [Indicateur(p).label for p in PARTS],
        "repartitions": repartitions,
        "distances": [(libelle, _km(v)) for libelle, v in distances],
        "graphique_distances": graphiques.barres(distances, format_valeur=_km),
        "carte": carte,
        "departements": [(code, nom, int(n), densites.get(code)) for code, nom, n in departements],
        "suggestions": suggestions_lignes,
        "graphique_suggestions": graphiques.barres(
            sorted(((l["source"], l["a_valider"]) for l in suggestions_lignes), key=lambda kv: -kv[1]),
            format_valeur=_entier),
    }
    return render(request, "statistiques/statistiques.html", contexte)
