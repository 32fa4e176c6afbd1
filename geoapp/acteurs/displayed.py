"""The displayed acteurs: imported acteurs + staff revisions + parent merging, computed set-wise in
the warehouse (reading the web app's tables through postgres_fdw), then copied into the web app
with an atomic swap.

Rules, field by field:
- a unit is an imported acteur and/or its revision (same identifiant_unique); a non-empty revision
  value overrides the imported one (empty = '' / NULL / empty array; `False` is a value); a field
  the revision forces empty (`champs_vides`) is displayed empty, whatever the source or children give;
- a child (revision with a parent) is not displayed itself: its parent is. The parent's own
  non-empty value wins; otherwise the most recently modified active child that has one gives it;
- labels, services and propositions: the revision's set replaces the imported one when it is not
  empty; a parent without its own takes the union of its children's; sources are always the union;
- only active acteurs are displayed; `provenance` records, per field, `source:<code>` or
  `revision:<identifiant_unique>` of whoever gave the value.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection, transaction
from django.dispatch import Signal
from psycopg import sql

from geoapp.common.databases import (
    WEBAPP_SCHEMA,
    bulk_settings_sql,
    fdw_configure_warehouse,
    table_build,
    table_swap,
    tables_swap_in,
    warehouse_connect,
    warehouse_copy_into,
)
from geoapp.common.mercator import CIRCONFERENCE_TERRE_M

from . import models



@dataclass(frozen=True)
class DisplayedField:
    name: str  # the displayed column
    column: str  # the column in acteur / revision tables
    kind: str = "text"  # text | array | value


FIELDS: tuple[DisplayedField, ...] = (
    *(DisplayedField(n, n) for n in (
        "nom", "nom_commercial", "nom_officiel", "description", "siren", "siret", "naf_principal", "adresse",
        "adresse_complement", "code_postal", "ville", "code_commune_insee", "url", "email", "telephone",
        "horaires_osm", "horaires_description", "public_accueilli", "reprise", "lieu_prestation")),
    DisplayedField("acteur_type", "acteur_type_id"),
    DisplayedField("location", "location", "value"),
    DisplayedField("exclusivite_de_reprisereparation", "exclusivite_de_reprisereparation", "value"),
    DisplayedField("uniquement_sur_rdv", "uniquement_sur_rdv", "value"),
    DisplayedField("perimetre_rayon_km", "perimetre_rayon_km", "value"),
    DisplayedField("perimetre_zone", "perimetre_zone", "value"),
    DisplayedField("perimetre_departements", "perimetre_departements", "array"),
)
assert set(models.CHAMPS_VIDABLES) <= {f.name for f in FIELDS}, "a field forced empty must be displayed"


def webapp_tables() -> list[str]:
    """The web app tables the computation reads through postgres_fdw."""
    tables = []
    for model in (models.Acteur, models.RevisionActeur, models.PropositionService,
                  models.RevisionPropositionService, models.Action):
        tables.append(model._meta.db_table)
        tables += [f.remote_field.through._meta.db_table for f in model._meta.local_many_to_many]
    return tables


# --- The computation, composed with psycopg.sql in named pieces --------------------------------
# Aliases: `a` an imported acteur, `r` its revision, `u` a unit, `c2` a child unit, `c` the children
# of a parent (aggregated), `m` a member. Identifiers are quoted by psycopg.sql.


def _filled(expr: sql.Composable, kind: str) -> sql.Composed:
    """Pure: the test that `expr` holds a value ('' / NULL / an empty array are empty; False is a value)."""
    if kind == "text":
        return sql.SQL("COALESCE({}, '') <> ''").format(expr)
    if kind == "array":
        return sql.SQL("COALESCE(cardinality({}), 0) > 0").format(expr)
    return sql.SQL("{} IS NOT NULL").format(expr)


def _col(alias: str, column: str) -> sql.Identifier:
    return sql.Identifier(alias, column)


def _provenance_name(f: DisplayedField) -> sql.Identifier:
    return sql.Identifier(f"p_{f.name}")


def _forced_empty(alias: str, f: DisplayedField) -> sql.Composed:
    """Pure: the test that the revision (or unit) `alias` forces field `f` empty (`champs_vides`)."""
    return sql.SQL("{} = ANY({})").format(sql.Literal(f.name), _col(alias, "champs_vides"))


def displayed_override_columns(f: DisplayedField) -> sql.Composed:
    """Pure, the override rule, for field `f` of a unit: empty when the revision forces it empty,
    else the revision's value when it holds one, else the imported acteur's; and its provenance,
    `revision:<identifiant_unique>` (the one that emptied it, too) or `source:<code>`
    (`source:inconnue` without a source), NULL when neither holds a value."""
    revision, imported = _col("r", f.column), _col("a", f.column)
    return sql.SQL(
        "CASE WHEN {forced} THEN NULL WHEN {rev_filled} THEN {revision} ELSE {imported} END AS {name}, "
        "CASE WHEN {forced} OR {rev_filled} THEN 'revision:' || r.identifiant_unique "
        "WHEN {imp_filled} THEN 'source:' || COALESCE(a.source_id, 'inconnue') END AS {provenance}"
    ).format(forced=_forced_empty("r", f), rev_filled=_filled(revision, f.kind), revision=revision,
             imported=imported, imp_filled=_filled(imported, f.kind), name=sql.Identifier(f.name),
             provenance=_provenance_name(f))


def displayed_unit_sql(*, schema: str = WEBAPP_SCHEMA) -> sql.Composed:
    """Pure: temp table `unit`, one row per imported acteur and/or revision (same
    identifiant_unique), each field after the override rule, with its provenance."""
    return sql.SQL("""
CREATE TEMP TABLE unit ON COMMIT DROP AS
SELECT COALESCE(r.identifiant_unique, a.identifiant_unique) AS identifiant_unique,
       COALESCE(r.uuid, a.uuid, md5('revision:' || r.identifiant_unique)::uuid::text) AS uuid,
       r.parent_id,
       a.source_id AS source,
       COALESCE(NULLIF(r.statut, ''), a.statut, 'ACTIF') AS statut,
       GREATEST(a.modifie_le, r.modifie_le) AS modifie_le,
       COALESCE(r.champs_vides, '{{}}') AS champs_vides,
       {columns}
FROM {acteur} a FULL OUTER JOIN {revision} r ON r.identifiant_unique = a.identifiant_unique""").format(
        columns=sql.SQL(",\n       ").join(displayed_override_columns(f) for f in FIELDS),
        acteur=sql.Identifier(schema, "acteurs_acteur"), revision=sql.Identifier(schema, "acteurs_revisionacteur"))


# The unit a row is displayed as: its parent if it has one (and is active), else itself.
DISPLAYED_MEMBER_SQL = sql.SQL("""
CREATE TEMP TABLE member ON COMMIT DROP AS
SELECT u.identifiant_unique, COALESCE(u.parent_id, u.identifiant_unique) AS display_id, u.parent_id IS NULL AS own
FROM unit u WHERE u.parent_id IS NULL OR u.statut = 'ACTIF'""")


def displayed_unit_set_sql(*, name: str, revision_sql: sql.Composable, acteur_sql: sql.Composable) -> sql.Composed:
    """Pure: temp table `name`, a per-unit set: the revision's when it has one, else the imported
    acteur's (both SELECTs give `id` and the set's columns)."""
    return sql.SQL("""
CREATE TEMP TABLE {name} ON COMMIT DROP AS
WITH rev AS ({revision}), imp AS ({acteur})
SELECT * FROM rev UNION ALL
SELECT * FROM imp WHERE NOT EXISTS (SELECT 1 FROM rev WHERE rev.id = imp.id)""").format(
        name=sql.Identifier(name), revision=revision_sql, acteur=acteur_sql)


def _pairs_sql(*, schema: str, table: str, owner: str, code: str) -> sql.Composed:
    return sql.SQL("SELECT {owner} AS id, {code} AS code FROM {table}").format(
        owner=sql.Identifier(owner), code=sql.Identifier(code), table=sql.Identifier(schema, table))


def _propositions_sql(*, schema: str, prefix: str) -> sql.Composed:
    return sql.SQL("""SELECT p.acteur_id AS id, p.action_id AS action, s.souscategorieobjet_id AS sous_categorie
            FROM {propositions} p
            JOIN {sous_categories} s ON s.{owner} = p.id""").format(
        propositions=sql.Identifier(schema, f"acteurs_{prefix}propositionservice"),
        sous_categories=sql.Identifier(schema, f"acteurs_{prefix}propositionservice_sous_categories"),
        owner=sql.Identifier(f"{prefix}propositionservice_id"))


def displayed_unit_sets_sql(*, schema: str = WEBAPP_SCHEMA) -> list[sql.Composed]:
    """Pure: the per-unit sets, `unit_label`, `unit_service`, `unit_proposition`."""
    return [
        displayed_unit_set_sql(
            name="unit_label",
            revision_sql=_pairs_sql(schema=schema, table="acteurs_revisionacteur_labels", owner="revisionacteur_id",
                                    code="labelqualite_id"),
            acteur_sql=_pairs_sql(schema=schema, table="acteurs_acteur_labels", owner="acteur_id",
                                  code="labelqualite_id")),
        displayed_unit_set_sql(
            name="unit_service",
            revision_sql=_pairs_sql(schema=schema, table="acteurs_revisionacteur_acteur_services",
                                    owner="revisionacteur_id", code="acteurservice_id"),
            acteur_sql=_pairs_sql(schema=schema, table="acteurs_acteur_acteur_services", owner="acteur_id",
                                  code="acteurservice_id")),
        displayed_unit_set_sql(name="unit_proposition", revision_sql=_propositions_sql(schema=schema, prefix="revision"),
                               acteur_sql=_propositions_sql(schema=schema, prefix="")),
    ]


def displayed_set_sql(*, unit_table: str, columns: tuple[str, ...]) -> sql.Composed:
    """Pure, the parent merge of sets: per displayed acteur (`display_id`), its own set when not
    empty, else the union of its children's.
    (Two branches rather than `own OR NOT EXISTS`: an OR keeps the NOT EXISTS a correlated
    subplan, estimated so badly that the plans turn to nested loops; here it is an anti-join.)"""
    return sql.SQL("""
SELECT DISTINCT * FROM (
SELECT m.display_id, {cols}
FROM member m JOIN {unit_table} x ON x.id = m.identifiant_unique WHERE m.own
UNION ALL
SELECT m.display_id, {cols}
FROM member m JOIN {unit_table} x ON x.id = m.identifiant_unique
WHERE NOT m.own AND NOT EXISTS (
  SELECT 1 FROM member m2 JOIN {unit_table} x2 ON x2.id = m2.identifiant_unique
  WHERE m2.display_id = m.display_id AND m2.own)) s""").format(
        cols=sql.SQL(", ").join(_col("x", c) for c in columns), unit_table=sql.Identifier(unit_table))


_CHILD_ORDER = sql.SQL("ORDER BY c2.modifie_le DESC NULLS LAST, c2.identifiant_unique")


def displayed_child_columns(f: DisplayedField) -> sql.Composed:
    """Pure, the parent merge of fields, over the active children `c2` of one parent: the value of
    field `f` of the most recently modified child that holds one (ties by identifiant_unique), and
    its provenance. Arrays travel as text (an aggregate of arrays must not be ragged)."""
    child = _col("c2", f.name)
    value = sql.SQL("array_to_string({}, ',')").format(child) if f.kind == "array" else child
    return sql.SQL(
        "(array_agg({value} {order}) FILTER (WHERE {filled}))[1] AS {name}, "
        "(array_agg({provenance} {order}) FILTER (WHERE {filled}))[1] AS {provenance_name}"
    ).format(value=value, order=_CHILD_ORDER, filled=_filled(child, f.kind), name=sql.Identifier(f.name),
             provenance=_col("c2", f"p_{f.name}"), provenance_name=_provenance_name(f))


def displayed_children_sql() -> sql.Composed:
    """Pure: per parent, its active children (`enfants`) and, per field, the value the merge gives."""
    return sql.SQL("""
  SELECT c2.parent_id, array_agg(c2.identifiant_unique ORDER BY c2.identifiant_unique) AS enfants,
         {columns}
  FROM unit c2 WHERE c2.parent_id IS NOT NULL AND c2.statut = 'ACTIF'
  GROUP BY c2.parent_id""").format(columns=sql.SQL(",\n         ").join(displayed_child_columns(f) for f in FIELDS))


_EMPTY = {"text": sql.SQL("''"), "array": sql.SQL("'{}'")}


def displayed_final_column(f: DisplayedField) -> sql.Composed:
    """Pure: field `f` of a displayed acteur `u`: empty when its revision forces it empty, else its
    own value when it holds one, else its children's (`c`); never NULL for text and arrays (empty
    instead)."""
    own, child = _col("u", f.name), _col("c", f.name)
    chosen = sql.SQL("CASE WHEN {forced} THEN NULL WHEN {filled} THEN {own} ELSE {child} END").format(
        forced=_forced_empty("u", f), filled=_filled(own, f.kind), own=own,
        child=sql.SQL("string_to_array({}, ',')").format(child) if f.kind == "array" else child)
    if f.kind in _EMPTY:
        return sql.SQL("COALESCE({}, {}) AS {}").format(chosen, _EMPTY[f.kind], sql.Identifier(f.name))
    return sql.SQL("{} AS {}").format(chosen, sql.Identifier(f.name))


def displayed_provenance_sql() -> sql.Composed:
    """Pure, the provenance rule: per field, the provenance of the value kept (the acteur's own,
    else the child's that gave it; the revision that forced it empty), fields without a value left out."""
    return sql.SQL("jsonb_strip_nulls(jsonb_build_object({}))").format(sql.SQL(", ").join(
        sql.SQL("{name}, CASE WHEN {forced} OR {filled} THEN {own} ELSE {child} END").format(
            name=sql.Literal(f.name), forced=_forced_empty("u", f), filled=_filled(_col("u", f.name), f.kind),
            own=_col("u", f"p_{f.name}"), child=_col("c", f"p_{f.name}"))
        for f in FIELDS))


def displayed_select_sql(*, schema: str = WEBAPP_SCHEMA) -> sql.Composed:
    """Pure: the displayed acteurs, from the temp tables: the active units without a parent, their
    fields merged with their children's, their sets, sources, actions, provenance."""
    return sql.SQL("""
WITH children AS ({children}),
srcs AS (
  SELECT m.display_id, array_agg(DISTINCT u.source ORDER BY u.source) AS sources
  FROM member m JOIN unit u ON u.identifiant_unique = m.identifiant_unique
  WHERE u.source IS NOT NULL GROUP BY m.display_id
),
lbl AS (SELECT display_id, array_agg(code ORDER BY code) AS labels FROM ({labels}) s GROUP BY display_id),
srv AS (SELECT display_id, array_agg(code ORDER BY code) AS acteur_services FROM ({services}) s GROUP BY display_id),
prop AS ({propositions}),
prop_action AS (
  SELECT display_id, action, array_agg(sous_categorie ORDER BY sous_categorie) AS sous_categories
  FROM prop GROUP BY display_id, action
),
props AS (
  SELECT pa.display_id,
         jsonb_agg(jsonb_build_object('action', pa.action, 'sous_categories', to_jsonb(pa.sous_categories)) ORDER BY pa.action) AS propositions,
         array_agg(pa.action ORDER BY pa.action) AS actions,
         array_agg(DISTINCT act.groupe_action_id ORDER BY act.groupe_action_id) FILTER (WHERE act.groupe_action_id IS NOT NULL) AS groupes_actions
  FROM prop_action pa LEFT JOIN {action} act ON act.code = pa.action
  GROUP BY pa.display_id
),
souscats AS (SELECT display_id, array_agg(DISTINCT sous_categorie ORDER BY sous_categorie) AS sous_categories FROM prop GROUP BY display_id)
SELECT u.identifiant_unique, u.uuid,
       {fields},
       u.statut,
       COALESCE(lbl.labels, '{{}}') AS labels,
       COALESCE(srv.acteur_services, '{{}}') AS acteur_services,
       COALESCE(srcs.sources, '{{}}') AS sources,
       COALESCE(props.actions, '{{}}') AS actions,
       COALESCE(props.groupes_actions, '{{}}') AS groupes_actions,
       COALESCE(souscats.sous_categories, '{{}}') AS sous_categories,
       COALESCE(props.propositions, '[]'::jsonb) AS propositions,
       {provenance} AS provenance,
       COALESCE(c.enfants, '{{}}') AS enfants,
       GREATEST(u.modifie_le, (SELECT max(c3.modifie_le) FROM unit c3 WHERE c3.parent_id = u.identifiant_unique)) AS modifie_le
FROM unit u
LEFT JOIN children c ON c.parent_id = u.identifiant_unique
LEFT JOIN srcs ON srcs.display_id = u.identifiant_unique
LEFT JOIN lbl ON lbl.display_id = u.identifiant_unique
LEFT JOIN srv ON srv.display_id = u.identifiant_unique
LEFT JOIN props ON props.display_id = u.identifiant_unique
LEFT JOIN souscats ON souscats.display_id = u.identifiant_unique
WHERE u.parent_id IS NULL AND u.statut = 'ACTIF'""").format(
        children=displayed_children_sql(),
        labels=displayed_set_sql(unit_table="unit_label", columns=("code",)),
        services=displayed_set_sql(unit_table="unit_service", columns=("code",)),
        propositions=displayed_set_sql(unit_table="unit_proposition", columns=("action", "sous_categorie")),
        action=sql.Identifier(schema, "acteurs_action"),
        fields=sql.SQL(",\n       ").join(displayed_final_column(f) for f in FIELDS),
        provenance=displayed_provenance_sql())


# Temp tables have no statistics until analysed: without them the planner picks nested loops
# (quadratic: 100 s for 4,000 acteurs); with them and these indexes, hash joins.
# Only the columns the joins and filters use are analysed (unit has 60 columns).
DISPLAYED_ANALYSE_SQL = [sql.SQL(s) for s in (
    "CREATE INDEX ON unit (parent_id)", "CREATE INDEX ON unit (identifiant_unique)",
    "CREATE INDEX ON member (display_id)", "CREATE INDEX ON member (identifiant_unique)",
    "ANALYZE unit (identifiant_unique, parent_id, statut, source)", "ANALYZE member",
    "ANALYZE unit_label", "ANALYZE unit_service", "ANALYZE unit_proposition")]


def displayed_build_sql(*, target: str, schema: str = WEBAPP_SCHEMA) -> list[sql.Composed]:
    """Pure: the statements that build `target` (`schema.table`) in the warehouse from the foreign
    tables in `schema`: the units, the members, the per-unit sets, their statistics, then the
    table of the displayed acteurs and its primary key."""
    table = sql.Identifier(*target.split("."))
    return [displayed_unit_sql(schema=schema), DISPLAYED_MEMBER_SQL, *displayed_unit_sets_sql(schema=schema),
            *DISPLAYED_ANALYSE_SQL,
            sql.SQL("DROP TABLE IF EXISTS {}").format(table),
            sql.SQL("CREATE TABLE {} AS {}").format(table, displayed_select_sql(schema=schema)),
            sql.SQL("ALTER TABLE {} ADD PRIMARY KEY (identifiant_unique)").format(table)]


DISPLAYED_COLUMNS = [f.column for f in models.DisplayedActeur._meta.concrete_fields if not f.generated]

# Vector tiles: up to this zoom, tiles draw precomputed groups instead of every acteur.
CLUSTER_MAX_ZOOM = models.CLUSTER_MAX_ZOOM
# Grid cells along a tile's side: 8, one cell per 32 px of a 256 px tile, about a cluster's size
# (64 drew a cluster every 4 px: overlapping discs, a blob over France on a phone).
CLUSTER_CELLS_PER_TILE = 8


def displayed_cluster_fill_sql(*, source: str | None = None, max_zoom: int = CLUSTER_MAX_ZOOM) -> str:
    """Pure: the INSERT that fills `{new}` (a copy of the cluster table) with one row per grid cell
    holding displayed acteurs of table `source` (quoted; the live displayed table by default),
    per zoom 0..max_zoom: centre of its acteurs, count, main group
    (the most frequent first action group, the smallest code among equals, as `mode()`).

    Each acteur's coordinates are read once; the acteurs are first counted per cell and group,
    then per cell (an ordered-set `mode()` per cell sorts each cell apart: slow at high zooms)."""
    displayed = source or models.DisplayedActeur._meta.db_table
    return f"""
INSERT INTO {{new}} (id, zoom, geom, nombre, groupe_action)
WITH d AS MATERIALIZED (
  SELECT ST_X(location_3857) AS x, ST_Y(location_3857) AS y, groupes_actions[1] AS groupe
  FROM {displayed} WHERE location_3857 IS NOT NULL
),
per_groupe AS (
  SELECT z, floor(d.x / c.cell) AS cx, floor(d.y / c.cell) AS cy, d.groupe,
         count(*) AS n, sum(d.x) AS sx, sum(d.y) AS sy
  FROM generate_series(0, {int(max_zoom)}) AS z
  CROSS JOIN LATERAL (SELECT {CIRCONFERENCE_TERRE_M} / (2 ^ z) / {CLUSTER_CELLS_PER_TILE} AS cell) c
  CROSS JOIN d
  GROUP BY z, cx, cy, d.groupe
)
SELECT row_number() OVER (), g.* FROM (
  SELECT z, ST_SetSRID(ST_MakePoint(sum(sx) / sum(n), sum(sy) / sum(n)), 3857), sum(n),
         COALESCE((array_agg(groupe ORDER BY n DESC, groupe) FILTER (WHERE groupe IS NOT NULL))[1], '')
  FROM per_groupe GROUP BY z, cx, cy) g"""


# Sent once the displayed acteurs and their tile clusters committed anew (a publication, or a
# clusters refresh): readers' caches of them are stale (the API's tile cache listens).
displayed_published = Signal()


def displayed_cluster_refresh() -> int:
    """Rebuild only the tile clusters from the displayed acteurs (the benchmark's generator)."""
    groups = table_swap(table=models.DisplayedActeurCluster._meta.db_table, fill_sql=displayed_cluster_fill_sql())
    transaction.on_commit(lambda: displayed_published.send(sender=DisplayedVersion, version=None))
    return groups


@dataclass(frozen=True)
class DisplayedVersion:
    """One computation's result in the warehouse: table `displayed.acteur_v<version>`."""

    version: int
    rows: int

    @property
    def table(self) -> str:
        return f"acteur_v{self.version}"


KEEP_VERSIONS = 3  # older computed tables are dropped (a DROP waits for any reader of them)


def displayed_acteur_compute() -> DisplayedVersion:
    """Build a new version of the displayed acteurs in the warehouse, in one transaction.

    Each computation writes its own table (never DROP + CREATE of one name: postgres_fdw reads in
    REPEATABLE READ, and a snapshot taken before such a swap would see the new table empty)."""
    with warehouse_connect() as conn:
        for statement in bulk_settings_sql(temp_buffers=True):  # a new session: no temp table yet
            conn.execute(statement)
        # One computation at a time: the foreign server is recreated under the same lock.
        conn.execute("SELECT pg_advisory_xact_lock(hashtext('fdw_configure_warehouse'))")
        fdw_configure_warehouse(webapp_tables=webapp_tables(), conn=conn)
        conn.execute("CREATE SCHEMA IF NOT EXISTS displayed")
        conn.execute("CREATE SEQUENCE IF NOT EXISTS displayed.version_seq")
        version = conn.execute("SELECT nextval('displayed.version_seq')").fetchone()[0]
        target = DisplayedVersion(version=version, rows=0)
        for statement in displayed_build_sql(target=f"displayed.{target.table}"):
            conn.execute(statement)
        rows = conn.execute(f"SELECT count(*) FROM displayed.{target.table}").fetchone()[0]
        stale = conn.execute(
            """SELECT tablename FROM pg_tables WHERE schemaname = 'displayed' AND tablename ~ '^acteur_v[0-9]+$'
               AND substring(tablename FROM 9)::bigint <= %s""", [version - KEEP_VERSIONS]
        ).fetchall()
        for (name,) in stale:
            conn.execute(f'DROP TABLE IF EXISTS displayed."{name}"')
        return DisplayedVersion(version=version, rows=rows)


def displayed_published_version() -> int:
    """The version of the displayed acteurs the web app serves now (0: never published)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT obj_description(%s::regclass, 'pg_class')", [models.DisplayedActeur._meta.db_table])
        comment = cursor.fetchone()[0] or ""
    return int(comment.removeprefix("version ")) if comment.startswith("version ") else 0


def displayed_acteur_publish(*, version: int) -> int:
    """Copy version `version` of the displayed acteurs from the warehouse into the web app, and
    rebuild the tile clusters from that copy, both built before any lock a reader would wait on,
    then swapped in together (readers see both old or both new; the lock lasts the renames). A
    version older than the one already published is not swapped in (a refresh that finished late
    must not overwrite a newer one). Returns the number of acteurs displayed."""
    table = models.DisplayedActeur._meta.db_table
    source = DisplayedVersion(version=version, rows=0).table
    with transaction.atomic(), connection.cursor() as cursor:
        # publications run one at a time: the lock is held until commit
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('displayed_acteur_publish'))")
        for statement in bulk_settings_sql():
            cursor.execute(statement)
        if displayed_published_version() > version:
            return models.DisplayedActeur.objects.count()
        # the version's rows streamed from the warehouse with a binary COPY
        acteurs = table_build(cursor=cursor, table=table, fill=lambda c, new: warehouse_copy_into(
            cursor=c, query=f"SELECT * FROM displayed.{source}", table=new, columns=DISPLAYED_COLUMNS))
        # the tile clusters from the copy, not from the live table: nothing is locked yet
        clusters = table_build(cursor=cursor, table=models.DisplayedActeurCluster._meta.db_table,
                               fill_sql=displayed_cluster_fill_sql(source=acteurs.new))
        tables_swap_in(cursor=cursor, copies=[acteurs, clusters])
        cursor.execute(f"COMMENT ON TABLE {connection.ops.quote_name(table)} IS 'version {int(version)}'")
        transaction.on_commit(lambda: displayed_published.send(sender=DisplayedVersion, version=version))
        return acteurs.rows


# --- Incremental refresh: only the displayed acteurs a change touched -------------------------
#
# A staff correction (or a few applied suggestions) changes a handful of acteurs: rebuilding the
# 500,000 displayed acteurs and swapping them takes ~40 s. Here the same statements
# (`displayed_build_sql`) run over copies of the web app's rows of the touched acteurs only — temp
# tables of the warehouse session standing in for the foreign tables — and the rows they give
# replace those acteurs' rows in the live table, with the tile clusters of their grid cells, in one
# transaction. The full rebuild stays the nightly run and the reference (a test compares them).


def displayed_units_touched(*, identifiants: list[str]) -> list[str]:
    """The identifiants whose displayed row may change when the acteurs `identifiants` changed:
    themselves, their parents (the current one in the revisions, the former one: a displayed parent
    listing them among its children) and every child of those, now (the revisions) and as displayed
    (a deleted parent's former children are displayed again). One level, as the computation: a displayed acteur depends only on itself and its
    direct children."""
    if not identifiants:
        return []
    revision = models.RevisionActeur._meta.db_table
    displayed = models.DisplayedActeur._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""WITH t AS (SELECT DISTINCT unnest(%s::varchar[]) AS id),
                roots AS (
                  SELECT id FROM t
                  UNION SELECT r.parent_id FROM {revision} r JOIN t ON r.identifiant_unique = t.id
                        WHERE r.parent_id IS NOT NULL
                  UNION SELECT d.identifiant_unique FROM {displayed} d
                        WHERE d.enfants && %s::varchar[]  -- the partial index displayed_enfants_gin:
                          AND CASE WHEN d.enfants IS NULL THEN NULL ELSE coalesce(array_length(d.enfants, 1), 0) END > 0)
                SELECT id FROM roots
                UNION SELECT r.identifiant_unique FROM {revision} r JOIN roots ON r.parent_id = roots.id
                UNION SELECT unnest(d.enfants) FROM {displayed} d JOIN roots ON d.identifiant_unique = roots.id
                ORDER BY 1""",
            [list(identifiants), list(identifiants)],
        )
        return [row[0] for row in cursor.fetchall()]


def _partial_copies() -> list[tuple[str, str | None, str | None]]:
    """(table, column filtered on the touched identifiants, or on the propositions' ids) for each
    web app table the computation reads; None: copied whole (the actions, a referential)."""
    copies: list[tuple[str, str | None, str | None]] = []
    for model in (models.Acteur, models.RevisionActeur):
        copies.append((model._meta.db_table, "identifiant_unique", None))
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through._meta
            copies.append((through.db_table, f"{model._meta.model_name}_id", None))
    for model in (models.PropositionService, models.RevisionPropositionService):
        copies.append((model._meta.db_table, "acteur_id", None))
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through._meta
            copies.append((through.db_table, None, f"{model._meta.model_name}_id"))
    copies.append((models.Action._meta.db_table, None, None))
    copies += [(f.remote_field.through._meta.db_table, None, None) for f in models.Action._meta.local_many_to_many]
    return copies


def displayed_partial_table(version: int) -> str:
    return f"partiel_v{int(version)}"


def displayed_acteur_compute_partial(*, identifiants: list[str]) -> DisplayedVersion:
    """Compute, in the warehouse, the displayed rows of `identifiants` (a closed set: see
    `displayed_units_touched`) into `displayed.partiel_v<version>`, by the full computation's own
    statements over temp copies of just their rows. The version is drawn from the same sequence as
    the full computations' (a full computation drawn later includes this change)."""
    from psycopg import sql

    with warehouse_connect() as conn:
        for statement in bulk_settings_sql(temp_buffers=True):
            conn.execute(statement)
        conn.execute("SELECT pg_advisory_xact_lock(hashtext('fdw_configure_warehouse'))")
        fdw_configure_warehouse(webapp_tables=webapp_tables(), conn=conn)
        conn.execute("CREATE SCHEMA IF NOT EXISTS displayed")
        conn.execute("CREATE SEQUENCE IF NOT EXISTS displayed.version_seq")
        version = conn.execute("SELECT nextval('displayed.version_seq')").fetchone()[0]
        ids = list(identifiants)
        proposition_ids: dict[str, list[int]] = {}
        for table, column, by_proposition in _partial_copies():
            copy, remote = sql.Identifier(table), sql.Identifier(WEBAPP_SCHEMA, table)
            conn.execute(sql.SQL("CREATE TEMP TABLE {} (LIKE {}) ON COMMIT DROP").format(copy, remote))
            if column is not None:  # pushed down to the web app as `= ANY($1)` (its indexes)
                conn.execute(sql.SQL("INSERT INTO pg_temp.{} SELECT * FROM {} WHERE {} = ANY(%s)").format(
                    copy, remote, sql.Identifier(column)), [ids])
            elif by_proposition is not None:
                parent = by_proposition.removesuffix("_id")
                conn.execute(sql.SQL("INSERT INTO pg_temp.{} SELECT * FROM {} WHERE {} = ANY(%s)").format(
                    copy, remote, sql.Identifier(by_proposition)), [proposition_ids[parent]])
            else:
                conn.execute(sql.SQL("INSERT INTO pg_temp.{} SELECT * FROM {}").format(copy, remote))
            if table in (models.PropositionService._meta.db_table, models.RevisionPropositionService._meta.db_table):
                proposition_ids[table.removeprefix("acteurs_")] = [
                    r[0] for r in conn.execute(sql.SQL("SELECT id FROM pg_temp.{}").format(copy)).fetchall()]
        target = displayed_partial_table(version)
        for statement in displayed_build_sql(target=f"displayed.{target}", schema="pg_temp"):
            conn.execute(statement)
        rows = conn.execute(f"SELECT count(*) FROM displayed.{target}").fetchone()[0]
        # partial tables of refreshes that died before their publication
        stale = conn.execute(
            """SELECT tablename FROM pg_tables WHERE schemaname = 'displayed' AND tablename ~ '^partiel_v[0-9]+$'
               AND substring(tablename FROM 10)::bigint <= %s""", [version - 100]).fetchall()
        for (name,) in stale:
            conn.execute(f'DROP TABLE IF EXISTS displayed."{name}"')
        return DisplayedVersion(version=version, rows=rows)


def displayed_partial_drop(*, version: int) -> None:
    with warehouse_connect() as conn:
        conn.execute(f"DROP TABLE IF EXISTS displayed.{displayed_partial_table(version)}")


def displayed_cluster_cells_sql(*, zoom: int) -> tuple[str, str]:
    """Pure: for one zoom, the DELETE of the tile clusters of the grid cells `%(cxs)s, %(cys)s`
    (their indices along x and y) and the INSERT that computes those cells again from the
    displayed acteurs, as `displayed_cluster_fill_sql` computes them (same cell arithmetic, same
    centre, count and main group). Each reads its zoom's partial GiST index, or the displayed
    acteurs' `location_3857` one, through the cells' envelopes."""
    cluster, displayed = models.DisplayedActeurCluster._meta.db_table, models.DisplayedActeur._meta.db_table
    cell = f"({CIRCONFERENCE_TERRE_M} / (2 ^ {int(zoom)}) / {CLUSTER_CELLS_PER_TILE})"
    cells = """cells AS (SELECT DISTINCT cx, cy FROM unnest(%(cxs)s::float8[], %(cys)s::float8[]) AS c(cx, cy))"""
    envelope = f"ST_MakeEnvelope(cells.cx * {cell}, cells.cy * {cell}, (cells.cx + 1) * {cell}, (cells.cy + 1) * {cell}, 3857)"
    delete = f"""WITH {cells}
DELETE FROM {cluster} k USING cells
WHERE k.zoom = {int(zoom)} AND k.geom && {envelope}
  AND floor(ST_X(k.geom) / {cell}) = cells.cx AND floor(ST_Y(k.geom) / {cell}) = cells.cy"""
    insert = f"""INSERT INTO {cluster} (id, zoom, geom, nombre, groupe_action)
WITH {cells},
d AS (
  SELECT cells.cx, cells.cy, ST_X(a.location_3857) AS x, ST_Y(a.location_3857) AS y, a.groupes_actions[1] AS groupe
  FROM cells JOIN {displayed} a ON a.location_3857 && {envelope}
  WHERE floor(ST_X(a.location_3857) / {cell}) = cells.cx AND floor(ST_Y(a.location_3857) / {cell}) = cells.cy
),
per_groupe AS (SELECT cx, cy, groupe, count(*) AS n, sum(x) AS sx, sum(y) AS sy FROM d GROUP BY cx, cy, groupe)
SELECT (SELECT COALESCE(max(id), 0) FROM {cluster}) + row_number() OVER (), g.* FROM (
  SELECT {int(zoom)}, ST_SetSRID(ST_MakePoint(sum(sx) / sum(n), sum(sy) / sum(n)), 3857), sum(n),
         COALESCE((array_agg(groupe ORDER BY n DESC, groupe) FILTER (WHERE groupe IS NOT NULL))[1], '')
  FROM per_groupe GROUP BY cx, cy) g"""
    return delete, insert


def displayed_cluster_shift_sql(*, zoom: int) -> str:
    """Pure: for one zoom, given the points an incremental refresh removed (`%(oxs)s, %(oys)s`,
    their first action group `%(ogs)s`) and those it wrote (`%(nxs)s, %(nys)s, %(ngs)s`), the
    UPDATE that moves the centre of each grid cell whose acteurs' groups stay the same (count and
    main group unchanged: only the sum of the coordinates moves), and answers the other cells
    (`cx, cy`), to compute again. A low zoom's cell holds a large part of France: a correction
    that keeps the acteur's group (a move, a renamed acteur) reads none of its acteurs."""
    cluster = models.DisplayedActeurCluster._meta.db_table
    cell = f"({CIRCONFERENCE_TERRE_M} / (2 ^ {int(zoom)}) / {CLUSTER_CELLS_PER_TILE})"
    envelope = f"ST_MakeEnvelope(cmp.cx * {cell}, cmp.cy * {cell}, (cmp.cx + 1) * {cell}, (cmp.cy + 1) * {cell}, 3857)"

    def side(name: str, prefix: str) -> str:
        return f"""{name} AS (SELECT floor(p.x / {cell}) AS cx, floor(p.y / {cell}) AS cy, COALESCE(p.g, '') AS g, p.x, p.y
  FROM unnest(%({prefix}xs)s::float8[], %({prefix}ys)s::float8[], %({prefix}gs)s::text[]) AS p(x, y, g))"""

    return f"""WITH {side("o", "o")}, {side("n", "n")},
cells AS (SELECT cx, cy FROM o UNION SELECT cx, cy FROM n),
cmp AS (
  SELECT c.cx, c.cy,
         (SELECT array_agg(o.g ORDER BY o.g) FROM o WHERE o.cx = c.cx AND o.cy = c.cy) AS og,
         (SELECT array_agg(n.g ORDER BY n.g) FROM n WHERE n.cx = c.cx AND n.cy = c.cy) AS ng,
         (SELECT COALESCE(sum(o.x), 0) FROM o WHERE o.cx = c.cx AND o.cy = c.cy) AS osx,
         (SELECT COALESCE(sum(o.y), 0) FROM o WHERE o.cx = c.cx AND o.cy = c.cy) AS osy,
         (SELECT COALESCE(sum(n.x), 0) FROM n WHERE n.cx = c.cx AND n.cy = c.cy) AS nsx,
         (SELECT COALESCE(sum(n.y), 0) FROM n WHERE n.cx = c.cx AND n.cy = c.cy) AS nsy
  FROM cells c),
moved AS (
  UPDATE {cluster} k
  SET geom = ST_SetSRID(ST_MakePoint((ST_X(k.geom) * k.nombre - cmp.osx + cmp.nsx) / k.nombre,
                                     (ST_Y(k.geom) * k.nombre - cmp.osy + cmp.nsy) / k.nombre), 3857)
  FROM cmp
  WHERE cmp.og IS NOT DISTINCT FROM cmp.ng AND k.zoom = {int(zoom)} AND k.geom && {envelope}
    AND floor(ST_X(k.geom) / {cell}) = cmp.cx AND floor(ST_Y(k.geom) / {cell}) = cmp.cy
  RETURNING cmp.cx, cmp.cy)
SELECT cmp.cx, cmp.cy FROM cmp WHERE NOT EXISTS (SELECT 1 FROM moved m WHERE m.cx = cmp.cx AND m.cy = cmp.cy)"""


def displayed_acteur_publish_partial(*, version: int, identifiants: list[str]) -> int:
    """Replace, in the live table, the displayed rows of `identifiants` by those of partial version
    `version` (a closed set: `displayed_units_touched`), and recompute the tile clusters of the
    grid cells they left or entered (the centre only, where the cell's groups stay the same), in one transaction, under the publications' lock. Readers
    see the old rows until the commit. The published version becomes `version` (the tiles' cache
    generation changes); when a newer version is already published, it includes this change and
    nothing is written. Returns the number of rows written."""
    table = models.DisplayedActeur._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('displayed_acteur_publish'))")
        if displayed_published_version() > version:
            return 0
        ids = list(identifiants)
        cursor.execute(
            f"""DELETE FROM {table} WHERE identifiant_unique = ANY(%s::varchar[])
                RETURNING ST_X(location_3857), ST_Y(location_3857), groupes_actions[1]""", [ids])
        old = [p for p in cursor.fetchall() if p[0] is not None]
        written = warehouse_copy_into(cursor=cursor, query=f"SELECT * FROM displayed.{displayed_partial_table(version)}",
                                      table=table, columns=DISPLAYED_COLUMNS)
        cursor.execute(
            f"""SELECT ST_X(location_3857), ST_Y(location_3857), groupes_actions[1] FROM {table}
                WHERE identifiant_unique = ANY(%s::varchar[]) AND location_3857 IS NOT NULL""", [ids])
        new = cursor.fetchall()
        if old or new:
            points = {"oxs": [p[0] for p in old], "oys": [p[1] for p in old], "ogs": [p[2] for p in old],
                      "nxs": [p[0] for p in new], "nys": [p[1] for p in new], "ngs": [p[2] for p in new]}
            for zoom in range(CLUSTER_MAX_ZOOM + 1):
                cursor.execute(displayed_cluster_shift_sql(zoom=zoom), points)
                cells = cursor.fetchall()
                if cells:
                    for statement in displayed_cluster_cells_sql(zoom=zoom):
                        cursor.execute(statement, {"cxs": [c[0] for c in cells], "cys": [c[1] for c in cells]})
        cursor.execute(f"COMMENT ON TABLE {connection.ops.quote_name(table)} IS 'version {int(version)}'")
        transaction.on_commit(lambda: displayed_published.send(sender=DisplayedVersion, version=version))
        return written
