"""What the outside world does wrong: retried where transient, otherwise the run fails cleanly
with nothing applied; a bad row is quarantined; no input row is unaccounted for."""

import pytest

from flows.sources.eco_organismes import eco_organisme_flow
from geoapp.acteurs.models import Acteur
from geoapp.suggestions import services
from geoapp.suggestions.models import ExecutionSource, GroupeSuggestion

pytestmark = pytest.mark.usefixtures("source_db")


@pytest.fixture
def paged(doublure_sources, settings):
    settings.SOURCES_DATAFAIR_PAGE_SIZE = 10  # 30 records: 3 pages linked by next
    services.politique_set(source_codes=["aliapur"], politique="auto")
    return doublure_sources


def lines_requests(server):
    return [r for r in server.requests if "donnees-eo-aliapur/lines" in r]


def test_a_5xx_then_success_is_retried_and_the_run_completes(paged):
    paged.faults["donnees-eo-aliapur/lines"] = ["ok", "500", "500"]

    counts = eco_organisme_flow(source="aliapur")

    assert counts["ajouts"] == 30 and Acteur.objects.count() == 30
    assert len(lines_requests(paged)) == 5  # 3 pages + 2 retries of the second


def test_a_timeout_is_retried(paged):
    paged.faults["donnees-eo-aliapur/lines"] = ["lent"]  # the first page answers after 4 s > the 2 s timeout

    counts = eco_organisme_flow(source="aliapur")

    assert counts["ajouts"] == 30
    # 3 pages + the retry of the first: the client gave up the slow answer (without a timeout, it
    # would have waited for it and asked 3 times)
    assert len(lines_requests(paged)) == 4


def test_a_timeout_without_retry_fails_the_run(paged, settings):
    settings.SOURCES_HTTP_RETRIES = 1  # one attempt; the Prefect task tries the download once more
    paged.faults["donnees-eo-aliapur/lines"] = ["lent", "lent"]

    with pytest.raises(Exception, match="Timeout"):
        eco_organisme_flow(source="aliapur")

    assert len(lines_requests(paged)) == 2
    assert ExecutionSource.objects.get(flux="aliapur").statut == "echouee" and not Acteur.objects.exists()


@pytest.mark.parametrize("fault, message", [
    ("tronque", "JSON tronqué ou invalide"),
    ("schema", "format inattendu"),
    ("boucle", "lien next en boucle"),
])
def test_a_broken_page_fails_the_run_cleanly_with_nothing_applied(paged, fault, message):
    if fault == "tronque":  # a truncated body is retried (a cut connection); it stays truncated
        paged.permanent_faults["donnees-eo-aliapur/lines"] = fault
    else:  # the second page is wrong: the first one is not applied either
        paged.faults["donnees-eo-aliapur/lines"] = ["ok", fault]

    with pytest.raises(Exception, match=message):
        eco_organisme_flow(source="aliapur")

    run = ExecutionSource.objects.get(flux="aliapur")
    assert run.statut == "echouee" and message in run.message
    assert not GroupeSuggestion.objects.exists() and not Acteur.objects.exists()


def test_an_unreachable_source_fails_after_the_retries(paged):
    paged.permanent_faults["donnees-eo-aliapur/lines"] = "500"

    with pytest.raises(Exception, match="HTTP 500"):
        eco_organisme_flow(source="aliapur")

    assert ExecutionSource.objects.get(flux="aliapur").statut == "echouee"
    assert not Acteur.objects.exists()
