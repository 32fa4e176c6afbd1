"""Flow: the commune of each located acteur by point-in-contour (cloned contours; the smallest
contour, so an arrondissement rather than its city), the postal code as fallback for a point
outside every contour (coastline, stale contour). The commune is proposed (code_commune_insee);
its EPCI (INSEE membership) and département are given with it, for staff and the map's filters."""

from __future__ import annotations

from prefect import flow, task
from prefect.utilities.annotations import quote

from flows.enrichissement.commun import (
    acteurs_lire, changement, cohorte_ecrire, communes_par_code_postal, reference_lire, run_id_courant,
)
from flows.enrichissement.regles import code_postal_normaliser, territoire_attribuer
from geoapp.exploitation.observabilite import flux_mesure

FLUX = "enrichissement-territoires"


@task(name="communes des points (contours clonés)")
def communes_des_points(points: list[list]) -> dict[str, str | None]:
    """identifiant → code of the smallest contour containing its point (None: outside all)."""
    if not points:
        return {}
    ids, lons, lats = zip(*points)
    rows = reference_lire(
        """SELECT p.id, c.code FROM unnest(%(ids)s::text[], %(lons)s::float8[], %(lats)s::float8[]) AS p(id, lon, lat)
           LEFT JOIN LATERAL (SELECT code FROM reference.contour_commune c
                              WHERE ST_Intersects(c.geom, ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4326))
                              ORDER BY ST_Area(c.geom), code LIMIT 1) c ON true""",
        {"ids": list(ids), "lons": list(lons), "lats": list(lats)})
    return dict(rows)


@task(name="lire EPCI, arrondissements et codes postaux")
def referentiels_lire() -> tuple[dict, dict, dict]:
    epci = dict(reference_lire("""SELECT DISTINCT ON (m) m, code FROM reference.insee_epci, unnest(membres) AS m
                                  ORDER BY m, code"""))
    parents = dict(reference_lire("""SELECT code, commune_parente FROM reference.insee_commune
                                     WHERE type = 'arrondissement-municipal'"""))
    return communes_par_code_postal(), epci, parents


def propositions_territoires(acteurs: list[dict], communes: dict, par_cp: dict, epci: dict, parents: dict) -> list[dict]:
    """Pure: the proposals of the territory rule for these acteurs."""
    out = []
    for acteur in acteurs:
        t = territoire_attribuer(commune_du_point=communes.get(acteur["identifiant_unique"]),
                                 code_postal=code_postal_normaliser(acteur["code_postal"]),
                                 communes_par_cp=par_cp, epci_par_commune=epci, parent_arrondissement=parents)
        changes = changement(acteur, "code_commune_insee", t.commune)
        if changes:
            out.append({"identifiant_unique": acteur["identifiant_unique"], "changements": changes,
                        "contexte": {"epci": t.epci, "departement": t.departement, "methode": t.methode}})
    return out


@flow(name="enrichissement-territoires", log_prints=True)
@flux_mesure()
def enrichissement_territoires_flow() -> dict:
    acteurs = [a for a in acteurs_lire() if a["location"] or a["code_postal"]]
    communes = communes_des_points([[a["identifiant_unique"], *a["location"]] for a in acteurs if a["location"]])
    par_cp, epci, parents = referentiels_lire()
    return cohorte_ecrire(FLUX, run_id_courant(), quote(propositions_territoires(acteurs, communes, par_cp, epci, parents)))


if __name__ == "__main__":
    enrichissement_territoires_flow()
