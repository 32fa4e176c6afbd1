"""The statistics of a known fixture are exact; the flow keeps a snapshot a day (idempotent, the
daily run keeps the weekly distances) and leaves its tables as artifacts; the page renders every
chart beside its table, without a script."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from pyproj import Geod

from .conftest import A1, A2, COMMUNES

WGS84 = Geod(ellps="WGS84")


def metres(a, b) -> float:
    return WGS84.inv(a[0], a[1], b[0], b[1])[2]


def par_indicateur(figures) -> dict[str, dict[str, float]]:
    resultat: dict[str, dict[str, float]] = {}
    for i, c, v in figures:
        resultat.setdefault(i, {})[c] = v
    return resultat


def test_counts_and_shares_of_a_known_fixture(fixture_connue):
    from geoapp.statistiques.selectors import statistiques_comptages

    f = par_indicateur(statistiques_comptages(jour=dt.date(2026, 12, 1)))
    assert f["acteurs"] == {"": 4}
    assert f["acteurs_par_source"] == {"refashion": 2, "ecomaison": 3}
    assert f["acteurs_par_action"] == {"reparer": 2, "donner": 2, "trier": 1}
    assert f["acteurs_par_sous_categorie"] == {"velo": 2}
    assert f["acteurs_par_type"] == {"artisan": 1, "commerce": 2, "inconnu": 1}
    # a3 has no commune: its point is in the 75 contour; a4 has neither
    assert f["acteurs_par_departement"] == {"75": 3, "inconnu": 1}
    assert f["part_siret"] == {"": 0.25}  # "123" is no SIRET
    assert f["part_geocodage_precis"] == {"": 0.5}  # a3 geocoded to its street only, a4 not located
    assert f["part_coordonnees_empilees"] == {"": 0.5}  # a2 and a3 on the same point
    assert f["suggestions_a_valider"] == {"refashion": 2}
    assert f["suggestions_appliquees"] == {"refashion": 1}
    assert f["suggestions_rejetees"] == {"ecomaison": 1}
    # the week ending on 2026-12-01 (11-25 … 12-01): three searches, one without result
    assert f["recherches"] == {"": 3} and f["recherches_sans_resultat"] == {"": 1}
    assert par_indicateur(statistiques_comptages(jour=dt.date(2026, 11, 24)))["recherches"] == {"": 1}


def test_median_distance_is_weighted_by_population(fixture_connue):
    from geoapp.statistiques.selectors import statistiques_distances

    distances = {cle: v for _, cle, v in statistiques_distances()}
    centre = {code: c for code, (c, _) in COMMUNES.items()}
    # reparer: 75101 → a1 (100 inhabitants), 75102 → a2 (50), 92001 → a1 (200): half of 350 is
    # reached at 92001's distance (the unweighted median would be 75102's); Paris itself (its
    # arrondissements are sampled) is not
    assert distances["reparer"] == pytest.approx(metres(centre["92001"], A1), abs=0.01)
    assert distances["donner"] == pytest.approx(metres(centre["92001"], A2), abs=0.01)
    assert "trier" not in distances  # its one place has no location
    assert set(distances) == {"reparer", "donner"}


def test_the_flow_keeps_one_snapshot_a_day_and_leaves_artifacts(prefect_api, fixture_connue_commit, client):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    from flows.statistiques import statistiques_flow
    from geoapp.acteurs.models import DisplayedActeur
    from geoapp.statistiques.models import ReleveStatistique, ValeurStatistique

    statistiques_flow(complet=True, jour="2026-11-30")
    statistiques_flow(complet=True, jour="2026-12-01")
    n = ValeurStatistique.objects.filter(releve__jour="2026-12-01").count()
    statistiques_flow(complet=True, jour="2026-12-01")  # rerun: the same snapshot
    assert ValeurStatistique.objects.filter(releve__jour="2026-12-01").count() == n
    DisplayedActeur.objects.filter(identifiant_unique="a4").delete()
    statistiques_flow(complet=False, jour="2026-12-01")  # the daily run keeps the weekly distances
    releve = ReleveStatistique.objects.get(jour="2026-12-01")
    valeurs = {(v.indicateur, v.cle): v.valeur for v in releve.valeurs.all()}
    assert releve.complet and valeurs[("acteurs", "")] == 3 and ("acteurs_par_action", "trier") not in valeurs
    assert valeurs[("distance_mediane_m", "reparer")] > 0
    assert ReleveStatistique.objects.count() == 2

    with get_client(sync_client=True) as prefect:
        artefacts = prefect.read_artifacts(artifact_filter=ArtifactFilter(
            key=ArtifactFilterKey(any_=["statistiques-acteurs-par-source", "statistiques-distance-mediane-m"])))
    assert {a.key for a in artefacts} == {"statistiques-acteurs-par-source", "statistiques-distance-mediane-m"}

    page = client.get("/statistiques/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<script" not in html
    # SVG numbers are written with a dot whatever the page's locale (French writes a comma)
    assert not re.search(r'(?:x|y|width|cx|cy)="[-0-9. ]*\d,\d', html)
    assert re.search(r'<rect x="200" y="0" width="\d+(\.\d+)?" height="18"', html)
    for section in ("evolution", "qualite", "couverture", "par-source", "par-action", "par-sous-categorie",
                    "par-type", "distances", "suggestions", "recherches"):
        bloc = html.split(f'<section id="{section}">', 1)[1].split("</section>", 1)[0]
        assert "<table" in bloc, section
        if section not in ("distances", "suggestions"):
            assert "<svg" in bloc, section
    assert "<td>2026-11-30</td><td>4</td>" in html and "<td>2026-12-01</td><td>3</td>" in html
    assert 'id="carte-titre"' in html and "<path d=\"M" in html  # the départements' map
    assert "<td>75</td><td>Paris</td><td>3</td><td>300,0</td>" in html  # per 100,000 of its 1,000
    assert "FASHION (refashion)</td><td>2</td><td>1</td><td>0</td>" in html  # refashion's suggestions
    assert "<td>part avec un SIRET</td><td>33,3 %</td>" in html  # a1 of the 3 left
    recherches = html.split('<section id="recherches">', 1)[1].split("</section>", 1)[0]
    # the assistant's searches of the week ending on each snapshot's day, and those without result
    assert "<td>2026-11-30</td><td>2</td><td>1</td>" in recherches
    assert "<td>2026-12-01</td><td>3</td><td>1</td>" in recherches
    assert "zorglub" not in html  # what citizens typed stays in the back office


def test_page_without_snapshot(db, client):
    page = client.get("/statistiques/")
    assert page.status_code == 200 and "Aucun relevé statistique" in page.content.decode()


def test_charts_are_proportional():
    from geoapp.statistiques.graphiques import barres, classes, courbe

    g = barres([("a", 10), ("b", 5), ("c <script>", 0)])
    assert [l["largeur"] for l in g["lignes"]] == [370, 185, 0]
    assert g["hauteur"] == 3 * 22
    c = courbe([("j1", 0), ("j2", 10)])
    assert c["sommets"][0]["y"] == c["bas"] and c["sommets"][1]["y"] == c["haut"]
    assert classes([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) == [2, 4, 6, 8, 10]


def test_deployments_are_tagged_stats_and_scheduled():
    import importlib

    import yaml

    from flows import REPO
    from flows.donnees_ouvertes import export_donnees_ouvertes_flow
    from flows.statistiques import statistiques_flow

    par_fonction: dict = {}
    for d in yaml.safe_load((REPO / "prefect.yaml").read_text())["deployments"]:
        chemin, fonction = d["entrypoint"].split(":")
        if chemin in ("flows/donnees_ouvertes.py", "flows/statistiques.py"):
            par_fonction.setdefault(getattr(importlib.import_module(chemin[:-3].replace("/", ".")), fonction), []).append(d)
    (export,) = par_fonction[export_donnees_ouvertes_flow]
    assert export["tags"] == ["stats"] and export["schedules"]
    assert sorted(d["parameters"]["complet"] for d in par_fonction[statistiques_flow]) == [False, True]
    assert all(d["tags"] == ["stats"] and d["schedules"] for d in par_fonction[statistiques_flow])


def test_map_classes_leave_departements_without_acteurs_apart():
    from geoapp.statistiques.graphiques import AUCUN, PALETTE, carte_departements

    contours = [(code, code, "M 0 0 L 1 1 Z", 100_000) for code in ("01", "02", "03", "04")]
    carte = carte_departements(contours, (0, 0, 1, 1), {"02": 1, "03": 5, "04": 5})
    couleurs = {d["code"]: d["couleur"] for d in carte["departements"]}
    assert couleurs["01"] == AUCUN and couleurs["02"] == PALETTE[0] and couleurs["03"] == couleurs["04"] != AUCUN
    assert carte["legende"][0] == {"couleur": AUCUN, "jusqua": None}
    assert [c["jusqua"] for c in carte["legende"][1:]] == [1.0, 5.0]
