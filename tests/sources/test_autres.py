"""CMA, pharmacies, SINOE and S3 flows against the local servers."""

import pytest

from flows.sources import pipeline
from flows.sources.cma import cma_flow
from flows.sources.pharmacies import pharmacies_flow
from flows.sources.s3 import s3_flow
from flows.sources.sinoe import sinoe_flow
from doublures.sources import generateur
from doublures.sources.s3 import DoublureS3
from geoapp.acteurs.models import Acteur, DisplayedActeur
from geoapp.suggestions import services
from geoapp.suggestions.models import ExecutionSource

pytestmark = pytest.mark.usefixtures("source_db")


def test_cma_pages_are_all_read_and_applied(doublure_sources, settings):
    settings.SOURCES_CMA_PAGE_SIZE = 7  # 30 records: 5 pages
    services.politique_set(source_codes=["cma_reparacteur"], politique="auto")

    counts = cma_flow()

    assert counts["recues"] == 30 and counts["ajouts"] == 30
    assert len([r for r in doublure_sources.requests if r.startswith("/reparacteur")]) == 1 + 5
    acteur = DisplayedActeur.objects.get(identifiant_unique="cma_reparacteur_CMA-0000000")
    assert acteur.labels == ["reparacteur"] and acteur.actions == ["reparer"]
    assert acteur.url.startswith("https://facebook.com/")


def test_pharmacies_zip_in_utf16_is_read_and_geocoded_on_ban_addresses(doublure_sources):
    services.politique_set(source_codes=["ordredespharmaciens"], politique="auto")

    counts = pharmacies_flow()

    assert counts["ajouts"] == 30 and counts["quarantaine"] == 0
    pharmacie = DisplayedActeur.objects.filter(sources__contains=["ordredespharmaciens"]).first()
    assert pharmacie.sous_categories == ["medicaments"] and pharmacie.location is not None
    assert 48.8 < pharmacie.location.y < 48.91
    # the addresses went to the geocoder in one batch, not one request each
    geocoder = [r for r in doublure_sources.requests if "/geocodage/" in r]
    assert geocoder == ["POST /geocodage/search/csv/"]


def test_a_pharmacies_rerun_does_not_geocode_the_same_addresses_again(doublure_sources):
    services.politique_set(source_codes=["ordredespharmaciens"], politique="auto")
    pharmacies_flow()
    doublure_sources.permanent_faults["/geocodage/"] = "500"  # the geocoder is gone: the cache answers

    again = pharmacies_flow()

    assert (again["recues"], again["inchanges"], again["quarantaine"]) == (30, 30, 0)
    assert len([r for r in doublure_sources.requests if "/geocodage/" in r]) == 1
    assert DisplayedActeur.objects.filter(sources__contains=["ordredespharmaciens"]).exclude(location=None).count() == 30


def test_pharmacies_csv_in_the_wrong_encoding_fails_the_run_cleanly(doublure_sources):
    doublure_sources.permanent_faults["annuaire_csv.zip"] = "encodage"

    with pytest.raises(Exception, match="encodage inattendu"):
        pharmacies_flow()

    assert ExecutionSource.objects.get(flux="pharmacies").statut == "echouee"
    assert not Acteur.objects.exists()


def test_sinoe_keeps_the_requested_year_and_resolves_the_nomenclature(doublure_sources, settings):
    settings.SOURCES_SINOE_ANNEE = "2025"
    counts = sinoe_flow()

    assert counts["recues"] == 30  # the 2024 lines are filtered by ANNEE_eq
    assert counts["ajouts"] + counts["quarantaine"] == 30
    assert any("ANNEE_eq=2025" in r for r in doublure_sources.requests)
    run = ExecutionSource.objects.get(flux="sinoe")
    reasons = {q["raison"] for q in pipeline.quarantaine_read(run_id=run.run_id)}
    assert reasons <= {"aucune sous-catégorie"}


def test_s3_excel_file_names_its_source_and_a_missing_file_fails_cleanly(settings):
    with DoublureS3(size=12) as s3:
        settings.SOURCES_S3_ENDPOINT_URL = s3.url
        settings.SOURCES_S3_ACCESS_KEY = settings.SOURCES_S3_SECRET_KEY = "test"
        services.politique_set(source_codes=["lvao"], politique="auto")

        counts = s3_flow(cle="lvao/acteurs.xlsx")

        assert counts["ajouts"] == 12
        assert DisplayedActeur.objects.filter(sources__contains=["lvao"]).count() == 12
        with pytest.raises(Exception, match="fichier S3 absent"):
            s3_flow(cle="lvao/absent.xlsx")
        assert ExecutionSource.objects.get(flux="s3/lvao/absent.xlsx").statut == "echouee"
        assert Acteur.objects.filter(source_id="lvao").count() == 12


def test_generated_pharmacies_sit_on_addresses_the_geocoder_knows():
    assert len(generateur.ban_index()) > 150_000


def test_the_geocoding_cache_expires_and_an_expired_address_is_geocoded_again(settings):
    from flows.sources.geocodage import geocoder_avec_cache
    from geoapp.common.databases import warehouse_connect
    from geoapp.geocodage.resultats import Resultat

    envoyees: list[list[str]] = []

    def geocoder_lot(adresses):
        envoyees.append(list(adresses))
        return [Resultat(label=a, score=0.9, id="", type="housenumber", lon=2.37, lat=48.85) for a in adresses]

    settings.SOURCES_GEOCODAGE_CACHE_JOURS = 90
    adresses = ["12 rue de la Roquette 75011 Paris", "3 rue Saint-Maur 75011 Paris"]
    premier = geocoder_avec_cache(adresses, geocoder_lot=geocoder_lot)
    assert geocoder_avec_cache(adresses, geocoder_lot=geocoder_lot) == premier and len(envoyees) == 1
    with warehouse_connect() as conn:  # the first address was geocoded 100 days ago
        conn.execute("UPDATE staging.source_geocodage SET geocode_le = now() - interval '100 days' "
                     "WHERE adresse_normalisee = (SELECT min(adresse_normalisee) FROM staging.source_geocodage)")

    again = geocoder_avec_cache(adresses, geocoder_lot=geocoder_lot)

    assert again == premier and len(envoyees) == 2 and len(envoyees[1]) == 1  # only the expired one
    with warehouse_connect() as conn:  # asked again: fresh in the cache
        assert conn.execute("SELECT count(*) FROM staging.source_geocodage "
                            "WHERE geocode_le > now() - interval '1 day'").fetchone()[0] == 2
    settings.SOURCES_GEOCODAGE_CACHE_JOURS = 0  # no trust at all: everything is asked again
    geocoder_avec_cache(adresses, geocoder_lot=geocoder_lot)
    assert len(envoyees[2]) == 2
