"""Deployments as ops expect them: one per source, each on a schedule, tags kept; what a fresh
Prefect server needs (work pool, warehouse block) created by the set-up; the flows reach the
warehouse through that block."""

import psycopg
import pytest
import yaml
from django.conf import settings
from prefect import flow
from prefect.client.orchestration import get_client
from prefect.exceptions import ObjectNotFound
from prefect_sqlalchemy import ConnectionComponents, SqlAlchemyConnector
from psycopg import sql

from flows import REPO
from flows.connecteur import BLOC_ENTREPOT
from flows.installation import bloc_entrepot_assurer, pool_assurer
from flows.sources.config import ECO_ORGANISMES
from flows.sources.deploiements import PREFECT_YAML, section_generee
from geoapp.common.databases import warehouse_connect


def test_prefect_yaml_has_one_scheduled_deployment_per_source_and_tags_on_every_deployment():
    texte = PREFECT_YAML.read_text()
    assert section_generee() in texte, "prefect.yaml is stale: run `python -m flows.sources.deploiements`"
    deploiements = {d["name"]: d for d in yaml.safe_load(texte)["deployments"]}

    sources = {n: d for n, d in deploiements.items() if "source" in d["tags"] and n != "acteurs-reference"}
    attendus = {f"source-{cle}" for cle in ECO_ORGANISMES} | {"source-cma", "source-pharmacies", "source-sinoe",
                                                               "source-s3"}
    assert set(sources) == attendus and len(attendus) == 20
    for cle in ECO_ORGANISMES:  # each eco-organisme its own, from the one flow, its key as parameter
        d = sources[f"source-{cle}"]
        assert d["entrypoint"] == "flows/sources/eco_organismes.py:eco_organisme_flow"
        assert d["parameters"] == {"source": cle}
    crons = [d["schedules"][0]["cron"] for d in sources.values()]
    assert all(c.endswith(" * * 1") for c in crons)  # weekly by default
    assert len(set(crons)) == len(crons)  # not all at once
    for nom, d in deploiements.items():
        assert d["tags"] and d["work_pool"] == {"name": "default"}, nom
        assert (REPO / d["entrypoint"].split(":")[0]).exists(), nom
    for nom in ("maintenance-prefect", "maintenance-entrepot"):
        assert "maintenance" in deploiements[nom]["tags"] and deploiements[nom]["schedules"], nom


def test_a_source_schedule_is_a_setting_of_its_declaration(monkeypatch):
    from dataclasses import replace

    from flows.sources import deploiements

    monkeypatch.setitem(ECO_ORGANISMES, "citeo", replace(ECO_ORGANISMES["citeo"], planification="0 6 * * *"))
    citeo = next(d for d in deploiements.deploiements_sources() if d.nom == "source-citeo")
    assert citeo.prefect()["schedules"] == [{"cron": "0 6 * * *", "timezone": "Europe/Paris"}]


@flow(name="test-utilisateur-entrepot")
def utilisateur_entrepot() -> str:
    with warehouse_connect() as conn:
        return conn.execute("SELECT current_user").fetchone()[0]


@pytest.mark.django_db
def test_the_set_up_creates_the_pool_and_the_block_and_the_flows_use_the_block(warehouse, prefect_api):
    role = "entrepot_bloc_test"
    with psycopg.connect(**warehouse, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone():
            conn.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD 'bloc'").format(sql.Identifier(role)))
    with get_client(sync_client=True) as client:  # as on a fresh server (another test may have made them)
        for supprimer in (lambda: client.delete_work_pool("default"), lambda: client.delete_block_document(
                client.read_block_document_by_name(BLOC_ENTREPOT, block_type_slug="sqlalchemy-connector").id)):
            try:
                supprimer()
            except ObjectNotFound:
                pass
    try:
        # a fresh server has no pool: the set-up creates it once (a `process` pool), then keeps it
        assert pool_assurer() is True
        assert pool_assurer() is False
        with get_client(sync_client=True) as client:
            assert client.read_work_pool("default").type == "process"
        # the block, from WAREHOUSE_DATABASE_URL, once: ops' edits are never overwritten
        assert bloc_entrepot_assurer(url=settings.WAREHOUSE_DATABASE_URL) is True
        bloc = SqlAlchemyConnector.load(BLOC_ENTREPOT)
        assert bloc.connection_info.database == warehouse["dbname"]
        assert bloc.connection_info.password.get_secret_value() == "postgres"  # a secret: hidden in the UI
        assert utilisateur_entrepot() == "postgres"

        # ops change the credentials in the UI: the next flow run connects with them
        SqlAlchemyConnector(connection_info=ConnectionComponents(
            driver="postgresql+psycopg", host=warehouse["host"], port=int(warehouse["port"]),
            database=warehouse["dbname"], username=role, password="bloc")).save(BLOC_ENTREPOT, overwrite=True)
        assert bloc_entrepot_assurer(url=settings.WAREHOUSE_DATABASE_URL) is False
        assert utilisateur_entrepot() == role
        # outside a flow run (migrations, the web app), WAREHOUSE_DATABASE_URL
        with warehouse_connect() as conn:
            assert conn.execute("SELECT current_user").fetchone()[0] == "postgres"
    finally:
        with get_client(sync_client=True) as client:
            try:
                document = client.read_block_document_by_name(BLOC_ENTREPOT, block_type_slug="sqlalchemy-connector")
                client.delete_block_document(document.id)
            except ObjectNotFound:  # (the test failed before the block was made: its own error stands)
                pass
        with psycopg.connect(**warehouse, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))
