"""The pure parts of the split runs: the partition by département and what the parent does with a
part in each state (its worker alive or not)."""

from flows.enrichissement.geocodage import SANS_DEPARTEMENT, code_postal_prefixe, departement_de
from flows.enrichissement.geocodage_departements import departements_a_geocoder
from flows.partage import decision


def test_a_postal_code_names_its_departement():
    assert [departement_de(c) for c in ("75011", "01000", "20000", "20167", "20200", "20600", "97411", "98800")] == \
        ["75", "01", "2A", "2A", "2B", "2B", "974", "988"]
    assert {departement_de(c) for c in (None, "", "7501", "750111", "00100", "75 011", "AB123")} == {SANS_DEPARTEMENT}


def test_a_part_reads_the_postal_codes_of_its_departement_only():
    assert [code_postal_prefixe(d) for d in ("75", "2A", "2B", "974", SANS_DEPARTEMENT, None)] == \
        ["75", "20", "20", "974", None, None]
    # what the part keeps of what it reads is still `departement_de`'s: 2A and 2B both read "20…"
    assert all(c.startswith(code_postal_prefixe(departement_de(c))) for c in ("75011", "20167", "20600", "97411"))


def test_the_departements_to_geocode_largest_first():
    def acteur(cp, **autres):
        return {"adresse": "1 rue X", "code_postal": cp, "ville": "V", "location": None, "adresse_geocodee": None,
                "geocodage_signale": None, **autres}

    acteurs = [acteur("13001"), acteur("75011"), acteur("75012"), acteur(""), acteur("69002", location=[2.0, 48.0])]
    assert departements_a_geocoder(acteurs) == ["75", "13", SANS_DEPARTEMENT]  # 69: located by its source


def test_what_the_parent_does_with_a_part():
    assert decision("RUNNING", 1, 3) == "attendre"
    assert decision("SCHEDULED", 1, 3, worker_hors_ligne=True) == "attendre"  # nobody took it yet
    assert decision("RUNNING", 1, 3, worker_hors_ligne=True) == "relancer"  # its worker died with it
    assert decision("PENDING", 3, 3, worker_hors_ligne=True) == "fin"  # out of attempts
    assert decision("CRASHED", 2, 3) == "relancer"
    assert decision("CRASHED", 3, 3) == "fin"
    assert decision("FAILED", 1, 3) == "fin"  # a bug is not retried by running it again
    assert decision("COMPLETED", 1, 3) == "fin"
