"""The clone flows: streamed into a new timestamped table, checked, swapped atomically; a bad or
short download never replaces the table in use."""

from __future__ import annotations

import gzip
import json

import httpx
import pytest

from flows.clones.chargement import (
    CloneSchemaError, CloneTooShortError, clone_charger, clone_table_courante, clone_tables, objets_json,
)
from flows.clones.jeux import BAN, CONTOUR_COMMUNE, INSEE_EPCI
from doublures.fichiers import serveur_donnees, sources_locales
from geoapp.common.databases import warehouse_connect


def scalar(query: str, params=None):
    with warehouse_connect() as conn:
        return conn.execute(query, params or []).fetchone()[0]


def test_every_bundled_dataset_is_cloned_by_its_flow_through_prefect(warehouse, prefect_api, serveur_donnees_url):
    from flows.clones.tous import clones_flow

    report = clones_flow(sources=sources_locales(serveur_donnees_url))

    assert {nom: r["lignes"] for nom, r in report.items()} == {
        "ban": 158_048, "sirene_etablissement": 23, "laposte_code_postal": 39_201, "insee_commune": 37_590,
        "insee_epci": 1_255, "insee_departement": 109, "contour_commune": 612, "contour_departement": 96,
        "ban_lieux_dits": 5, "sirene_unite_legale": 18, "sirene_lien_succession": 2,
    }
    # what a reader of the stable names sees
    assert scalar("SELECT count(*) FROM reference.ban") == 158_048
    assert scalar("SELECT nom_voie FROM reference.ban WHERE id = '75101_cfq3tf_00001'") == "Avenue du Général Lemonnier"
    assert scalar("SELECT count(*) FROM reference.ban_voie WHERE code_insee = '75111'") > 300
    assert scalar("SELECT etatadministratifetablissement FROM reference.sirene_etablissement WHERE siret = '00032517500016'") == "F"
    assert scalar("SELECT codes_postaux FROM reference.insee_commune WHERE code = '75111'") == ["75011"]
    assert "75056" in scalar("SELECT membres FROM reference.insee_epci WHERE nom = 'Métropole du Grand Paris'")
    assert scalar("SELECT count(*) FROM reference.laposte_code_postal WHERE code_postal = '75011'") == 1
    # contours: all valid multipolygons; Paris 11e contains the Place Léon Blum
    assert scalar("SELECT count(*) FROM reference.contour_commune WHERE NOT ST_IsValid(geom) OR GeometryType(geom) <> 'MULTIPOLYGON'") == 0
    assert scalar("SELECT code FROM reference.contour_commune WHERE code LIKE '751%%' AND ST_Contains(geom, ST_SetSRID(ST_MakePoint(2.3806, 48.8574), 4326))") == "75111"
    assert scalar("SELECT nom FROM reference.contour_departement WHERE code = '56'") == "Morbihan"
    assert scalar("SELECT categoriejuridiqueunitelegale FROM reference.sirene_unite_legale WHERE siren = '005541552'") == "1000"
    assert scalar("SELECT siretetablissementsuccesseur FROM reference.sirene_lien_succession "
                  "WHERE siretetablissementpredecesseur = '00032517500016'") == "00032517500065"
    assert scalar("SELECT nom_lieu_dit FROM reference.ban_lieux_dits WHERE code_insee = '56260' ORDER BY id LIMIT 1") == "Conleau"
    # each clone's progress on its run's page, complete, and the rows counted in its log lines
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        ArtifactFilter, ArtifactFilterKey, FlowRunFilter, FlowRunFilterName, LogFilter, LogFilterFlowRunId,
    )
    from prefect.client.schemas.sorting import FlowRunSort
    from prefect.logging.handlers import APILogWorker

    APILogWorker.drain_all(timeout=10)
    with get_client(sync_client=True) as client:
        progres = client.read_latest_artifacts(artifact_filter=ArtifactFilter(
            key=ArtifactFilterKey(any_=[f"clone-{nom.replace('_', '-')}" for nom in report])))
        [ban] = client.read_flow_runs(flow_run_filter=FlowRunFilter(name=FlowRunFilterName(any_=["clone-ban"])),
                                      sort=FlowRunSort.START_TIME_DESC, limit=1)
        lignes = [log.message for log in client.read_logs(log_filter=LogFilter(
            flow_run_id=LogFilterFlowRunId(any_=[ban.id])))]
    assert {a.key: float(a.data) for a in progres} == {f"clone-{nom.replace('_', '-')}": 100.0 for nom in report}
    assert "Clone de ban : 158048/158048 lignes copiées" in lignes


def test_rerun_swaps_a_new_copy_with_the_same_rows_and_drops_the_old_one(ban_clone, serveur_donnees_url):
    before = clone_table_courante(nom="ban")
    digest = "SELECT md5(string_agg(id || numero || coalesce(rep, '') || lon || lat, ',' ORDER BY id)) FROM reference.ban"
    first = scalar(digest)

    report = clone_charger(jeu=BAN, urls=[f"{serveur_donnees_url}/ban/adresses-75.csv.gz"], min_lignes=150_000)

    after = clone_table_courante(nom="ban")
    assert after != before and report.table == f"reference.{after}"
    assert before in report.anciennes_supprimees
    assert clone_tables(nom="ban") == [after]  # the older copy is gone
    assert clone_tables(nom="ban_voie") == [after.replace("ban__", "ban_voie__")]
    assert scalar(digest) == first


def test_a_short_download_keeps_the_previous_table_and_leaves_nothing(ban_clone, serveur_donnees_url):
    before = clone_table_courante(nom="ban")

    with pytest.raises(CloneTooShortError, match="158048 rows, fewer than the minimum 25000000"):
        clone_charger(jeu=BAN, urls=[f"{serveur_donnees_url}/ban/adresses-75.csv.gz"], min_lignes=25_000_000)

    assert clone_table_courante(nom="ban") == before
    assert clone_tables(nom="ban") == [before]
    assert scalar("SELECT count(*) FROM reference.ban") == 158_048


def test_a_file_with_another_schema_is_refused_and_the_previous_table_stays(ban_clone, tmp_path):
    before = clone_table_courante(nom="ban")
    other = "id;numero;nom_voie;code_postal\n75101_x_00001;1;Rue Neuve;75001\n"
    (tmp_path / "adresses.csv.gz").write_bytes(gzip.compress(other.encode()))

    with serveur_donnees(tmp_path) as base_url, pytest.raises(CloneSchemaError, match=r"missing \['id_fantoir'"):
        clone_charger(jeu=BAN, urls=[f"{base_url}/adresses.csv.gz"], min_lignes=1)

    assert clone_table_courante(nom="ban") == before
    assert clone_tables(nom="ban") == [before]


def test_a_json_object_missing_a_key_is_refused(warehouse, tmp_path):
    (tmp_path / "epci.json").write_text(json.dumps([
        {"code": "200000172", "nom": "CC Faucigny - Glières", "membres": [{"code": "74042"}]},
        {"code": "200000438", "nom": "CC du Pays de Pontchâteau"},
    ]))
    with serveur_donnees(tmp_path) as base_url, pytest.raises(CloneSchemaError, match=r"object 2 .* lacks \['membres'\]"):
        clone_charger(jeu=INSEE_EPCI, urls=[f"{base_url}/epci.json"], min_lignes=1)
    assert clone_tables(nom="insee_epci") == ([clone_table_courante(nom="insee_epci")] if clone_table_courante(nom="insee_epci") else [])


def test_a_missing_download_is_a_clear_http_error_and_changes_nothing(ban_clone, serveur_donnees_url):
    before = clone_table_courante(nom="ban")
    with pytest.raises(httpx.HTTPStatusError, match="404"):
        clone_charger(jeu=BAN, urls=[f"{serveur_donnees_url}/ban/absent.csv.gz"], min_lignes=1)
    assert clone_tables(nom="ban") == [before]


def test_contours_are_repaired_and_promoted_to_multipolygons(warehouse, tmp_path):
    bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}  # self-intersecting
    square = {"type": "Polygon", "coordinates": [[[2, 2], [3, 2], [3, 3], [2, 3], [2, 2]]]}
    (tmp_path / "c.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "99001", "nom": "Noeud"}, "geometry": bowtie},
        {"type": "Feature", "properties": {"code": "99002", "nom": "Carré"}, "geometry": square},
    ]}))
    with serveur_donnees(tmp_path) as base_url:
        clone_charger(jeu=CONTOUR_COMMUNE, urls=[f"{base_url}/c.geojson"], min_lignes=2)

    with warehouse_connect() as conn:
        rows = conn.execute("SELECT code, GeometryType(geom), ST_IsValid(geom), round(ST_Area(geom)::numeric, 3) "
                            "FROM reference.contour_commune ORDER BY code").fetchall()
    assert rows == [("99001", "MULTIPOLYGON", True, 0.5), ("99002", "MULTIPOLYGON", True, 1.0)]


def test_json_arrays_are_parsed_as_the_bytes_arrive_whatever_the_chunking():
    payload = json.dumps({"type": "FeatureCollection", "name": "x [not this]", "features": [
        {"properties": {"nom": "Saint-Étienne ]"}, "geometry": None}, {"properties": {"nom": "Évry"}}]}).encode()
    one_byte_chunks = (payload[i:i + 1] for i in range(len(payload)))

    objets = list(objets_json(one_byte_chunks, tableau="features"))

    assert [o["properties"]["nom"] for o in objets] == ["Saint-Étienne ]", "Évry"]
    with pytest.raises(CloneSchemaError, match="not closed"):
        list(objets_json([b'[{"a": 1}, {"a": 2}'], tableau=None))


def test_every_dataset_has_one_deployment_of_the_clone_flow_tagged_clone():
    import importlib

    import yaml

    from flows import REPO
    from flows.clones.clone import clone_flow
    from flows.clones.jeux import JEUX

    deployments = yaml.safe_load((REPO / "prefect.yaml").read_text())["deployments"]
    par_jeu: dict[str, list[dict]] = {}
    for d in deployments:
        path, function = d["entrypoint"].split(":")
        module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
        if getattr(module, function) is clone_flow:
            par_jeu.setdefault(d["parameters"]["jeu"], []).append(d)
    assert sorted(par_jeu) == sorted(JEUX), "one deployment per declared dataset, naming it"
    for nom, ds in par_jeu.items():
        assert len(ds) == 1, f"{len(ds)} deployments clone {nom}"
        assert "clone" in ds[0]["tags"]
    assert sorted(d["name"] for [d] in par_jeu.values()) == sorted([
        "clone-ban", "clone-sirene-etablissement", "clone-laposte-codes-postaux", "clone-insee-communes",
        "clone-insee-epci", "clone-insee-departements", "clone-contours-communes", "clone-contours-departements",
        "clone-ban-lieux-dits", "clone-sirene-unite-legale", "clone-sirene-lien-succession",
    ])


def test_the_download_and_minimum_come_from_the_parameters_else_the_environment_else_the_declaration():
    from flows.clones.clone import clone_parametres

    assert clone_parametres(jeu=BAN, urls=None, min_lignes=None, urls_env={}, min_lignes_env={}) == (
        ["https://adresse.data.gouv.fr/data/ban/adresses/latest/csv/adresses-france.csv.gz"], 25_000_000)
    env = {"urls_env": {"ban": "http://miroir/ban.csv.gz"}, "min_lignes_env": {"ban": 10}}
    assert clone_parametres(jeu=BAN, urls=None, min_lignes=None, **env) == (["http://miroir/ban.csv.gz"], 10)
    assert clone_parametres(jeu=BAN, urls=["http://local/a.csv"], min_lignes=0, **env) == (["http://local/a.csv"], 0)
    with pytest.raises(ValueError, match=r"inconnus \['bann'\]"):  # CLONE_URL_BANN: a typo is not ignored
        clone_parametres(jeu=BAN, urls=None, min_lignes=None, urls_env={"bann": "x"}, min_lignes_env={})


def test_an_unknown_dataset_is_refused_by_name():
    from flows.clones.clone import clone_flow

    with pytest.raises(ValueError, match="jeu de données inconnu : 'adresses'"):
        clone_flow.fn(jeu="adresses")


def test_a_large_geojson_is_streamed_object_by_object_never_whole_in_memory():
    import tracemalloc

    feature = json.dumps({"type": "Feature", "properties": {"code": "99001", "nom": "Carré"},
                          "geometry": {"type": "Polygon", "coordinates": [[[2.1, 2.2], [3, 2], [3, 3], [2, 3], [2.1, 2.2]]]}})
    n = 200_000  # ~30 MB of GeoJSON
    lus = []

    def morceaux():
        yield b'{"type": "FeatureCollection", "features": ['
        lot = ",".join([feature] * 1000).encode()
        for i in range(n // 1000):
            lus.append(len(lot))
            yield (b"," if i else b"") + lot
        yield b"]}"

    tracemalloc.start()
    try:
        objets = objets_json(morceaux(), tableau="features")
        premier = next(objets)
        lus_au_premier = len(lus)
        total = 1 + sum(1 for _ in objets)
        _, pic = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    taille = sum(lus)
    assert premier["geometry"]["coordinates"][0][0] == [2.1, 2.2] and premier["properties"]["nom"] == "Carré"
    assert total == n and taille > 30_000_000
    assert lus_au_premier == 1  # the first object came out of the first chunk, not after the whole file
    assert pic < taille / 10, f"peak {pic} bytes for a {taille}-byte document"  # 2.3 MB measured for 35 MB


def test_a_truncated_geojson_fails_the_clone_cleanly_and_the_previous_table_stays(warehouse, tmp_path):
    square = {"type": "Polygon", "coordinates": [[[2, 2], [3, 2], [3, 3], [2, 3], [2, 2]]]}
    document = json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": f"99{i:03d}", "nom": "Carré"}, "geometry": square} for i in range(50)
    ]}).encode()
    (tmp_path / "entier.geojson").write_bytes(document)
    (tmp_path / "tronque.geojson").write_bytes(document[: len(document) * 2 // 3])
    with serveur_donnees(tmp_path) as base_url:
        clone_charger(jeu=CONTOUR_COMMUNE, urls=[f"{base_url}/entier.geojson"], min_lignes=1)
        before = clone_table_courante(nom="contour_commune")
        with pytest.raises(CloneSchemaError, match="contour_commune.*not closed: the file is truncated"):
            clone_charger(jeu=CONTOUR_COMMUNE, urls=[f"{base_url}/tronque.geojson"], min_lignes=1)

    assert clone_table_courante(nom="contour_commune") == before
    assert clone_tables(nom="contour_commune") == [before]
    assert scalar("SELECT count(*) FROM reference.contour_commune") == 50


def test_a_zipped_download_is_spooled_to_disk_and_its_csv_streamed(warehouse, tmp_path):
    import zipfile

    from flows import REPO
    from flows.clones.jeux import SIRENE_ETABLISSEMENT

    with zipfile.ZipFile(tmp_path / "StockEtablissement_utf8.zip", "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.write(REPO / "data" / "sirene" / "StockEtablissement_utf8_extrait.csv", "StockEtablissement_utf8.csv")
    with serveur_donnees(tmp_path) as base_url:
        report = clone_charger(jeu=SIRENE_ETABLISSEMENT, urls=[f"{base_url}/StockEtablissement_utf8.zip"], min_lignes=20)
    assert report.lignes == 23
    assert scalar("SELECT count(DISTINCT siret) FROM reference.sirene_etablissement") == 23


def test_a_bad_file_fails_the_flow_at_once_without_retries(ban_clone, prefect_api, tmp_path):
    import time

    from flows.clones.clone import clone_flow

    before = clone_table_courante(nom="ban")
    (tmp_path / "adresses.csv.gz").write_bytes(gzip.compress(b"id;nom\n1;x\n"))
    started = time.monotonic()
    with serveur_donnees(tmp_path) as base_url, pytest.raises(CloneSchemaError):
        clone_flow(jeu="ban", urls=[f"{base_url}/adresses.csv.gz"], min_lignes=1)
    assert time.monotonic() - started < 9  # the first retry would wait 10 s: a bad schema is not retried
    assert clone_table_courante(nom="ban") == before
