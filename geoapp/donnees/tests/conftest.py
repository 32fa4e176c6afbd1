"""Open-data fixtures: the referentials (sources with their licences) and the bundled territories
committed for a module, displayed acteurs covering every publication rule, the S3 stand-in (moto)
holding the open-data bucket and the data.gouv.fr stand-in."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.gis.geos import Point

BUCKET = "donnees-ouvertes-test"
SECRET_ADRESSE = "12 rue du Domicile Secret"
MOBILE = "06 12 34 56 78"
MOBILE_INTERNATIONAL = "+33 (0)7 98 76 54 32"
EMAIL = "contributeur@exemple.fr"
NOM_OFFICIEL = "DUPONT Jeanne Marie"


def displayed(identifiant: str, lon: float | None = 2.3522, lat: float | None = 48.8566, **fields):
    from geoapp.acteurs.models import DisplayedActeur

    actions = fields.pop("actions", ["reparer"])
    return DisplayedActeur(**{
        "identifiant_unique": identifiant, "uuid": f"uuid-{identifiant}", "nom": f"Lieu {identifiant}",
        "location": Point(lon, lat, srid=4326) if lon is not None else None, "statut": "ACTIF",
        "actions": actions, "groupes_actions": ["reparer"], "sous_categories": ["velo"],
        "propositions": [{"action": a, "sous_categories": ["velo"]} for a in actions],
        "acteur_type": "artisan", "sources": ["refashion"], "adresse": "1 rue de Rivoli", "code_postal": "75004",
        "ville": "Paris", "code_commune_insee": "75104", "telephone": "01 02 03 04 05",
        "public_accueilli": "Particuliers", "email": EMAIL, "nom_officiel": NOM_OFFICIEL, "siret": "12345678901234",
        **fields,
    })


def acteurs_regles() -> list:
    """One acteur per publication rule (identifiants say which)."""
    return [
        displayed("ouvert", nom='Atelier "La Rustine", vélos\net cadres', labels=["qualirepar"],
                  acteur_services=["service_de_reparation"], horaires_osm="Mo-Fr 09:00-18:00",
                  url="https://exemple.fr/rustine"),
        displayed("non_ouvert", sources=["cmareparacteur"], nom="Seulement CMA"),
        displayed("mobile", telephone=MOBILE),
        displayed("mobile_international", telephone=MOBILE_INTERNATIONAL),
        displayed("domicile", lieu_prestation="A_DOMICILE", adresse=SECRET_ADRESSE, adresse_complement="Escalier B",
                  lon=2.356789, lat=48.861234),
        displayed("pros", public_accueilli="Professionnels", nom="Réservé aux pros"),
        displayed("parent", sources=["cmareparacteur", "refashion"], enfants=["enfant_cma", "enfant_refashion"]),
        displayed("sans_position", lon=None, code_commune_insee="", code_postal=""),
        displayed("boulogne", sources=["ademedigitaux"], code_commune_insee="92012", code_postal="92100",
                  ville="Boulogne-Billancourt", lon=2.24, lat=48.835),
    ]


PUBLIES = {"uuid-ouvert", "uuid-mobile", "uuid-mobile_international", "uuid-domicile", "uuid-parent",
           "uuid-sans_position", "uuid-boulogne"}


@pytest.fixture(scope="module")
def referentiels_territoires(django_db_setup, django_db_blocker):
    from django.core.management import call_command

    from geoapp.acteurs.services import referentiel_load
    from geoapp.territoires.services import territoire_load_bundled

    with django_db_blocker.unblock():
        referentiel_load(reference_dir=Path(settings.DATA_DIR) / "reference")
        territoire_load_bundled(geo_dir=Path(settings.DATA_DIR) / "geo")
        yield
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture(scope="session")
def s3_serveur():
    from doublures.sources.s3 import DoublureS3

    with DoublureS3(size=1) as s3:
        s3.client().create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-3"})
        yield s3


@pytest.fixture
def s3(s3_serveur, settings):
    """The open-data bucket of the settings, emptied before each test."""
    settings.DONNEES_S3_ENDPOINT_URL = s3_serveur.url
    settings.DONNEES_S3_BUCKET = BUCKET
    settings.DONNEES_S3_ACCESS_KEY = "test"
    settings.DONNEES_S3_SECRET_KEY = "test"
    settings.DONNEES_URL_PUBLIQUE = ""
    client = s3_serveur.client()
    for obj in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=obj["Key"])
    return client


@pytest.fixture
def datagouv(settings):
    from doublures.datagouv import DoublureDataGouv

    with DoublureDataGouv(api_key="cle-de-test", datasets=("acteurs-economie-circulaire",)) as serveur:
        settings.DATAGOUV_API_URL = serveur.url
        settings.DATAGOUV_API_KEY = "cle-de-test"
        settings.DATAGOUV_DATASET = "acteurs-economie-circulaire"
        settings.DONNEES_SITE_URL = "https://circulaire.exemple.fr"
        yield serveur
