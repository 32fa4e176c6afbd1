"""A known fixture for the statistics: two départements, three sample communes (two of them the
arrondissements of a city, which is itself not sampled), four displayed acteurs, suggestions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.utils import timezone

# commune → (centre of its 0.01° square, population)
COMMUNES = {"75101": ((2.30, 48.80), 100), "75102": ((2.40, 48.80), 50), "92001": ((2.30, 49.00), 200)}
A1, A2 = (2.30, 48.81), (2.40, 48.82)


def carre(x: float, y: float, demi: float) -> MultiPolygon:
    return MultiPolygon(Polygon.from_bbox((x - demi, y - demi, x + demi, y + demi)), srid=4326)


def charger() -> None:
    from geoapp.acteurs.models import Acteur, DisplayedActeur
    from geoapp.assistant.models import Recherche
    from geoapp.acteurs.services import referentiel_load
    from geoapp.geocodage.models import GeocodageActeur
    from geoapp.suggestions.models import CohorteSuggestion, ExecutionSource, GroupeSuggestion
    from geoapp.territoires.models import Commune, Departement

    referentiel_load(reference_dir=Path(settings.DATA_DIR) / "reference")
    Departement.objects.create(code="75", nom="Paris", geom=MultiPolygon(Polygon.from_bbox((2.2, 48.7, 2.5, 48.9)), srid=4326))
    Departement.objects.create(code="92", nom="Hauts-de-Seine",
                               geom=MultiPolygon(Polygon.from_bbox((2.2, 48.9, 2.5, 49.1)), srid=4326))
    Commune.objects.create(code="75056", nom="Paris", departement="75", population=1000, geom=carre(2.35, 48.80, 0.08))
    for code, ((x, y), population) in COMMUNES.items():
        Commune.objects.create(
            code=code, nom=f"Commune {code}", departement=code[:2], population=population, geom=carre(x, y, 0.005),
            **({"type": "arrondissement_municipal", "commune_parente": "75056"} if code.startswith("75") else {}))

    def displayed(identifiant, point, **champs):
        return DisplayedActeur(identifiant_unique=identifiant, uuid=f"uuid-{identifiant}", nom=identifiant,
                               location=Point(*point, srid=4326) if point else None, statut="ACTIF", **champs)

    DisplayedActeur.objects.bulk_create([
        displayed("a1", A1, actions=["reparer"], sources=["refashion"], acteur_type="artisan",
                  siret="12345678901234", code_commune_insee="75101"),
        displayed("a2", A2, actions=["reparer", "donner"], sources=["refashion", "ecomaison"], acteur_type="commerce",
                  code_commune_insee="75102", sous_categories=["velo"]),
        displayed("a3", A2, actions=["donner"], sources=["ecomaison"], acteur_type="commerce", sous_categories=["velo"]),
        displayed("a4", None, actions=["trier"], sources=["ecomaison"], siret="123"),
    ])
    Acteur.objects.create(identifiant_unique="a3", uuid="imp-a3", nom="a3")
    GeocodageActeur.objects.create(acteur_id="a3", adresse="rue", backend="hors_ligne", score=0.7,
                                   type_resultat="street", location=Point(*A2, srid=4326))
    execution = ExecutionSource.objects.create(run_id="run-1", flux="refashion")
    cohorte = CohorteSuggestion.objects.create(execution=execution, type="ajout")
    for i, (source, statut) in enumerate([("refashion", "a_valider"), ("refashion", "a_valider"),
                                          ("refashion", "appliquee"), ("ecomaison", "rejetee"),
                                          ("ecomaison", "erreur")]):
        GroupeSuggestion.objects.create(cohorte=cohorte, source_id=source, identifiant_unique=f"s{i}", statut=statut,
                                        empreinte=f"e{i}")
    # the assistant's searches: three in the week ending on 2026-12-01 (one found nothing), one older
    for texte, trouves, jour in (("lave-linge", 3, "2026-12-01 10:00"), ("vélo", 2, "2026-11-25 09:00"),
                                 ("zorglub", 0, "2026-11-28 18:00"), ("écran", 1, "2026-11-20 12:00")):
        recherche = Recherche.objects.create(texte=texte, nombre_resultats=trouves)
        Recherche.objects.filter(pk=recherche.pk).update(
            cree_le=timezone.make_aware(dt.datetime.fromisoformat(jour)))


@pytest.fixture
def fixture_connue(db):
    charger()


@pytest.fixture
def fixture_connue_commit(transactional_db):
    charger()
