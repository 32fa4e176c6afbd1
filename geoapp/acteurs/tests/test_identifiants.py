import pytest

from geoapp.acteurs.identifiants import IdentifiantError, acteur_identifiant_unique, acteur_uuid


def test_identifiant_unique_is_source_code_then_external_id():
    assert acteur_identifiant_unique(source_code="ecosystem", identifiant_externe="PR-00123") == "ecosystem_PR-00123"


def test_identifiant_unique_trims_and_collapses_whitespace():
    assert acteur_identifiant_unique(source_code="refashion", identifiant_externe="  12 34\t5 ") == "refashion_12_34_5"


@pytest.mark.parametrize("externe", ["", "   ", None])
def test_identifiant_unique_refuses_an_empty_external_id(externe):
    with pytest.raises(IdentifiantError, match="identifiant externe vide"):
        acteur_identifiant_unique(source_code="corepile", identifiant_externe=externe)


@pytest.mark.parametrize("source", ["", "Eco Système", "eco-systeme"])
def test_identifiant_unique_refuses_a_source_that_is_not_a_code(source):
    with pytest.raises(IdentifiantError, match="code source invalide"):
        acteur_identifiant_unique(source_code=source, identifiant_externe="1")


def test_public_uuid_is_stable_and_distinct():
    a = acteur_uuid(identifiant_unique="ecosystem_1")
    assert a == acteur_uuid(identifiant_unique="ecosystem_1")
    assert a != acteur_uuid(identifiant_unique="ecosystem_2")
