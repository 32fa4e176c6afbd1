"""Flow `maintenance-entrepot`: what the warehouse and the suggestions keep, and no more.

- raw payloads: those of the last MAINTENANCE_PAYLOADS_RUNS_GARDES (3) runs of each source, of any
  run still referenced (running, or with suggestions waiting), and any payload a kept run points at
  (an identical payload is archived once: later runs keep only its fingerprint);
- staging rows of the runs that no longer run;
- quarantined rows older than MAINTENANCE_QUARANTAINE_RETENTION_JOURS (90), but those of the
  referenced runs;
- computed displayed versions beyond the 3 latest (never the published one);
- suggestion groups applied or rejected more than MAINTENANCE_SUGGESTIONS_RETENTION_JOURS (365)
  ago: copied into `archive.groupe_suggestion`, then deleted from the web app.
Each part counts its rows and the bytes they held (what the next VACUUM gives back for reuse); the
run reports them as a table artifact. Run twice, the second removes nothing."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from django.conf import settings
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_table_artifact
from psycopg import sql
from psycopg.types.json import Jsonb

from geoapp.acteurs.displayed import KEEP_VERSIONS, displayed_published_version
from geoapp.common.databases import warehouse_connect
from geoapp.suggestions.maintenance import executions_referencees_lister, groupes_anciens_lister, groupes_supprimer
from geoapp.exploitation.observabilite import flux_mesure

# Each DELETE returns the size of the rows it removed, summed: `pg_column_size` of the whole row
# (TOASTed values counted compressed, as stored).
SUPPRIMER = sql.SQL("WITH d AS ({delete} RETURNING pg_column_size(t.*) AS taille) "
                    "SELECT count(*), coalesce(sum(taille), 0) FROM d")

# the runs whose payloads stay: the last {garder} of each flux, and the referenced ones
RUNS_GARDES = sql.SQL("""
    SELECT run_id FROM (
      SELECT run_id, rank() OVER (PARTITION BY flux ORDER BY max(recu_le) DESC) AS rang
        FROM raw.source_payload GROUP BY flux, run_id) r
     WHERE rang <= {garder}
    UNION SELECT unnest({referencees}::text[])""")
PAYLOADS_DELETE = sql.SQL("""
    DELETE FROM raw.source_payload t
     WHERE t.run_id NOT IN ({gardes})
       AND NOT (t.body IS NOT NULL AND EXISTS (
             SELECT 1 FROM raw.source_payload k
              WHERE k.flux = t.flux AND k.body_empreinte = t.body_empreinte AND k.body IS NULL
                AND k.run_id IN ({gardes})))""")
STAGING_DELETE = sql.SQL("DELETE FROM staging.source_ligne t WHERE NOT (t.run_id = ANY({en_cours}::text[]))")
QUARANTAINE_DELETE = sql.SQL(
    "DELETE FROM raw.quarantaine t WHERE t.cree_le < {avant} AND NOT (t.run_id = ANY({referencees}::text[]))")


def _supprimer(conn, requete: sql.Composable) -> dict[str, int]:
    lignes, octets = conn.execute(SUPPRIMER.format(delete=requete)).fetchone()
    return {"lignes": int(lignes), "octets": int(octets)}


@task(name="purger les charges brutes, le staging et la quarantaine")
def entrepot_purger(*, garder_runs: int, quarantaine_avant: datetime) -> dict[str, dict[str, int]]:
    logger = get_run_logger()
    runs = executions_referencees_lister()
    referencees, en_cours = sorted(runs["referencees"]), sorted(runs["en_cours"])
    with warehouse_connect() as conn:
        resultat = {
            "charges brutes": _supprimer(conn, PAYLOADS_DELETE.format(gardes=RUNS_GARDES.format(
                garder=sql.Literal(garder_runs), referencees=sql.Literal(referencees)))),
            "staging": _supprimer(conn, STAGING_DELETE.format(en_cours=sql.Literal(en_cours))),
            "quarantaine": _supprimer(conn, QUARANTAINE_DELETE.format(
                avant=sql.Literal(quarantaine_avant), referencees=sql.Literal(referencees))),
        }
    for partie, compte in resultat.items():
        logger.info("%s : %d lignes supprimées (%d octets)", partie, compte["lignes"], compte["octets"])
    return resultat


@task(name="supprimer les anciennes versions des acteurs affichés")
def versions_affichees_purger() -> dict[str, int]:
    publiee = displayed_published_version()
    with warehouse_connect() as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'displayed' AND tablename ~ '^acteur_v[0-9]+$' "
            "ORDER BY substring(tablename FROM 9)::bigint DESC")]
        anciennes = [t for t in tables[KEEP_VERSIONS:] if t != f"acteur_v{publiee}"]
        octets = 0
        for table in anciennes:
            ident = sql.Identifier("displayed", table)
            octets += conn.execute(sql.SQL("SELECT pg_total_relation_size({})").format(
                sql.Literal(f"displayed.{table}"))).fetchone()[0]
            conn.execute(sql.SQL("DROP TABLE {}").format(ident))
    return {"lignes": len(anciennes), "octets": int(octets)}


ARCHIVE_INSERT = sql.SQL(
    "INSERT INTO archive.groupe_suggestion ({colonnes}) VALUES ({valeurs}) ON CONFLICT (id) DO NOTHING")
ARCHIVE_COLONNES = ["id", "run_id", "flux", "type", "source", "identifiant_unique", "statut", "empreinte",
                    "message", "modifie_le", "donnees", "changements"]


@task(name="archiver les suggestions anciennes")
def suggestions_archiver(*, avant: datetime) -> dict[str, int]:
    """By batches: copied into the warehouse's archive (committed), then deleted from the web app; a
    run killed between the two finds them archived already and deletes them."""
    logger = get_run_logger()
    total = {"lignes": 0, "octets": 0}
    requete = ARCHIVE_INSERT.format(colonnes=sql.SQL(", ").join(map(sql.Identifier, ARCHIVE_COLONNES)),
                                    valeurs=sql.SQL(", ").join(sql.Placeholder() * len(ARCHIVE_COLONNES)))
    while groupes := groupes_anciens_lister(avant=avant):
        with warehouse_connect() as conn, conn.cursor() as cur:
            cur.executemany(requete, [[Jsonb(g[c]) if c in ("donnees", "changements") else g[c]
                                       for c in ARCHIVE_COLONNES] for g in groupes])
        supprimes = groupes_supprimer(ids=[g["id"] for g in groupes])
        total["lignes"] += supprimes["groupes"]
        total["octets"] += supprimes["octets"]
        logger.info("%d groupes de suggestions archivés", total["lignes"])
    return total


@flow(name="maintenance-entrepot", log_prints=True)
@flux_mesure()
def maintenance_entrepot_flow(payloads_runs_gardes: int | None = None, quarantaine_retention_jours: int | None = None,
                              suggestions_retention_jours: int | None = None) -> dict[str, dict[str, int]]:
    """Parameters: the settings MAINTENANCE_* unless given."""
    maintenant = datetime.now(timezone.utc)
    garder = settings.MAINTENANCE_PAYLOADS_RUNS_GARDES if payloads_runs_gardes is None else payloads_runs_gardes
    q_jours = (settings.MAINTENANCE_QUARANTAINE_RETENTION_JOURS if quarantaine_retention_jours is None
               else quarantaine_retention_jours)
    s_jours = (settings.MAINTENANCE_SUGGESTIONS_RETENTION_JOURS if suggestions_retention_jours is None
               else suggestions_retention_jours)
    resultat = entrepot_purger(garder_runs=garder, quarantaine_avant=maintenant - timedelta(days=q_jours))
    resultat["versions affichées"] = versions_affichees_purger()
    resultat["suggestions archivées"] = suggestions_archiver(avant=maintenant - timedelta(days=s_jours))
    create_table_artifact(
        key="maintenance-entrepot",
        description=(f"Maintenance de l'entrepôt : charges des {garder} dernières exécutions gardées, "
                     f"quarantaine {q_jours} j, suggestions {s_jours} j"),
        table=[{"partie": partie, "lignes supprimées": c["lignes"], "octets libérés": c["octets"]}
               for partie, c in resultat.items()])
    total = sum(c["octets"] for c in resultat.values())
    print(f"maintenance de l'entrepôt : {resultat} ; {total} octets libérés")
    return resultat


if __name__ == "__main__":
    maintenance_entrepot_flow()
