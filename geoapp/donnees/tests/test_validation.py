"""The export's CSV validated in parts, in parallel processes, as a whole: a record holding a line
break is never cut, a row's error is reported with its row number in the whole file, a key
repeated in two parts is found."""

from __future__ import annotations

import csv

from geoapp.donnees.validation import csv_decouper, csv_valider

SCHEMA = {"fields": [{"name": "identifiant", "type": "string", "constraints": {"required": True}},
                     {"name": "horaires", "type": "string"},
                     {"name": "code_postal", "type": "string", "constraints": {"pattern": "[0-9]{5}"}}],
          "primaryKey": ["identifiant"]}


def ecrire(chemin, lignes):
    with chemin.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["identifiant", "horaires", "code_postal"])
        w.writerows(lignes)


def lignes(n, remplace=None):
    remplace = remplace or {}
    return [remplace.get(i, [f"id-{i}", f"lundi\nmardi {i}" if i % 3 == 0 else "9 h - 18 h", "75011"]) for i in range(n)]


def test_the_parts_hold_every_record_whole_each_with_the_header(tmp_path):
    ecrire(tmp_path / "a.csv", lignes(300))
    parties = csv_decouper(chemin=tmp_path / "a.csv", parties=3, dossier=tmp_path)
    assert len(parties) == 3
    relues = []
    for chemin, premiere in parties:
        with chemin.open(newline="", encoding="utf-8") as f:
            rangs = list(csv.reader(f))
        assert rangs[0] == ["identifiant", "horaires", "code_postal"]
        assert rangs[1][0] == f"id-{premiere - 1}"  # its first row's number in the whole file
        relues += rangs[1:]
    with (tmp_path / "a.csv").open(newline="", encoding="utf-8") as f:
        assert relues == list(csv.reader(f))[1:]  # nothing lost, nothing cut


def test_in_parts_as_in_one_the_rows_and_the_errors_with_their_row_numbers(tmp_path):
    ecrire(tmp_path / "bon.csv", lignes(400))
    for parties in (1, 2):
        v = csv_valider(chemin=tmp_path / "bon.csv", schema=SCHEMA, parties=parties, dossier=tmp_path)
        assert (v.valide, v.lignes) == (True, 400)

    # a bad postal code far in the file (in the second part), and a key given twice, once per part
    ecrire(tmp_path / "mauvais.csv", lignes(400, {350: ["id-350", "9 h", "7500A"], 399: ["id-3", "9 h", "75011"]}))
    un = csv_valider(chemin=tmp_path / "mauvais.csv", schema=SCHEMA, parties=1, dossier=tmp_path)
    deux = csv_valider(chemin=tmp_path / "mauvais.csv", schema=SCHEMA, parties=2, dossier=tmp_path)
    assert not un.valide and not deux.valide
    pattern = [e for e in deux.erreurs if "code_postal" in e]
    assert pattern and pattern[0].startswith("ligne 352, champ code_postal")  # the header is row 1, as frictionless says
    assert [e for e in un.erreurs if "code_postal" in e][0].startswith("ligne 352, champ code_postal")
    assert any("en double : id-3" in e for e in deux.erreurs)
