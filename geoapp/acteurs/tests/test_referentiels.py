from pathlib import Path

import pytest
from django.conf import settings
from django.core import serializers

from geoapp.acteurs import models
from geoapp.acteurs.referentiels import ReferentielError, referentiel_rows
from geoapp.acteurs.services import referentiel_load

REFERENCE_DIR = Path(settings.DATA_DIR) / "reference"
REFERENTIELS = [models.ActionDirection, models.GroupeAction, models.Action, models.CategorieObjet,
                models.SousCategorieObjet, models.ActeurType, models.ActeurService, models.LabelQualite, models.Source]


def dump() -> str:
    return serializers.serialize("json", [o for m in REFERENTIELS for o in m.objects.order_by("pk")])


@pytest.mark.django_db
def test_loading_twice_changes_nothing():
    first = referentiel_load(reference_dir=REFERENCE_DIR)
    assert first["Action"] == {"created": 11, "updated": 0, "unchanged": 0}
    assert first["SousCategorieObjet"]["created"] == 86
    assert first["Source"]["created"] == 76
    before = dump()

    second = referentiel_load(reference_dir=REFERENCE_DIR)

    assert all(s["created"] == 0 and s["updated"] == 0 for s in second.values()), second
    assert dump() == before


@pytest.mark.django_db
def test_codes_partners_use_are_kept(tmp_path):
    referentiel_load(reference_dir=REFERENCE_DIR)
    reparer = models.Action.objects.get(code="reparer")
    assert reparer.groupe_action_id == "reparer"
    assert list(reparer.directions.values_list("code", flat=True)) == ["jai"]
    assert models.SousCategorieObjet.objects.get(code="smartphone_tablette_et_console").categorie_id == "image_son_et_informatique"
    assert models.LabelQualite.objects.get(code="qualirepar").bonus is True
    assert models.Source.objects.get(code="ecosystem").licence == "OPEN_LICENSE"
    assert set(models.ActeurService.objects.get(code="achat_revente_particuliers").actions.values_list("code", flat=True)) == {"acheter", "revendre"}


@pytest.mark.django_db
def test_a_changed_file_updates_only_what_changed(tmp_path):
    import json
    import shutil

    for f in REFERENCE_DIR.glob("*.json"):
        shutil.copy(f, tmp_path / f.name)
    referentiel_load(reference_dir=tmp_path)
    actions = json.loads((tmp_path / "actions.json").read_text())
    for record in actions:
        if record["fields"].get("code") == "donner":
            record["fields"]["libelle"] = "donner ou céder"
    (tmp_path / "actions.json").write_text(json.dumps(actions))

    report = referentiel_load(reference_dir=tmp_path)

    assert report["Action"] == {"created": 0, "updated": 1, "unchanged": 10}
    assert models.Action.objects.get(code="donner").libelle == "donner ou céder"


def test_a_record_without_code_is_a_clear_error():
    with pytest.raises(ReferentielError, match="code manquant"):
        referentiel_rows([{"model": "qfdmo.acteurtype", "fields": {"libelle": "sans code"}}])


def test_referentiels_flow_runs_on_the_prefect_api(prefect_api, transactional_db):
    from flows.referentiels import referentiels_flow

    state = referentiels_flow(reference_dir=str(REFERENCE_DIR), return_state=True)

    assert state.is_completed()
    assert state.result()["GroupeAction"]["created"] == 5
    assert models.GroupeAction.objects.get(code="trier").couleur == "#A558A0"
