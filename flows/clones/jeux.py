"""The reference datasets the clone flow copies into the warehouse's `reference` schema, one
declaration each (adding a dataset is an entry here and a deployment in prefect.yaml, no code):
its official download and the production minimum row count (overridable per environment:
CLONE_URL_<NOM>, CLONE_MIN_ROWS_<NOM>), its format and columns, the checks of its schema, the
post-processing it needs and the tables derived from it."""

from __future__ import annotations

import json

from flows.clones.chargement import CloneSchemaError, Colonne, JeuDeDonnees

# --- BAN: addresses (current 23-column export, `;`-separated) -------------------------------------
BAN_ENTETE = (
    "id", "id_fantoir", "numero", "rep", "nom_voie", "code_postal", "code_insee", "nom_commune",
    "code_insee_ancienne_commune", "nom_ancienne_commune", "x", "y", "lon", "lat", "type_position",
    "alias", "nom_ld", "libelle_acheminement", "nom_afnor", "source_position", "source_nom_voie",
    "certification_commune", "cad_parcelles",
)
_BAN_TYPES = {"numero": "integer", "x": "double precision", "y": "double precision", "lon": "double precision",
              "lat": "double precision"}

BAN = JeuDeDonnees(
    nom="ban",
    url="https://adresse.data.gouv.fr/data/ban/adresses/latest/csv/adresses-france.csv.gz",
    min_lignes=25_000_000,
    format="csv",
    delimiteur=";",
    entete=BAN_ENTETE,
    colonnes=tuple(Colonne(c, _BAN_TYPES.get(c, "text")) for c in BAN_ENTETE),
    apres=(
        "CREATE INDEX ON {table} (code_insee, nom_voie, numero)",
        "CREATE INDEX ON {table} (id)",
    ),
    derivees={
        # one row per street of a commune: what the fuzzy search runs on (a few % of the addresses)
        "ban_voie": (
            """CREATE TABLE {derivee} AS
               SELECT (row_number() OVER (ORDER BY code_insee, nom_voie, code_postal))::integer AS id_voie,
                      code_insee, code_postal, nom_commune, nom_voie,
                      min(substring(id from '^[^_]+_[^_]+')) AS id_ban,
                      reference.normaliser_adresse(nom_voie) AS voie_norm,
                      reference.type_voie(reference.normaliser_adresse(nom_voie)) AS type_voie,
                      reference.noyau_voie(reference.normaliser_adresse(nom_voie)) AS nom_norm,
                      avg(lon) AS lon, avg(lat) AS lat, count(*)::integer AS nb_adresses
               FROM {table}
               WHERE nom_voie IS NOT NULL AND lon IS NOT NULL
               GROUP BY code_insee, code_postal, nom_commune, nom_voie""",
            "CREATE INDEX ON {derivee} USING gin (nom_norm gin_trgm_ops)",
            "CREATE INDEX ON {derivee} (nom_norm)",
            "CREATE INDEX ON {derivee} (voie_norm)",  # the exact fast path of the geocoder
            "CREATE INDEX ON {derivee} (code_postal)",
            "CREATE INDEX ON {derivee} (code_insee)",
        ),
        # one row per commune (and postal code): how a city written in an address is recognised
        "ban_commune": (
            """CREATE TABLE {derivee} AS
               SELECT code_insee, nom_commune, min(libelle_acheminement) AS acheminement,
                      reference.normaliser_adresse(nom_commune) AS commune_norm,
                      reference.normaliser_adresse(min(libelle_acheminement)) AS acheminement_norm,
                      array_agg(DISTINCT code_postal ORDER BY code_postal) AS codes_postaux,
                      avg(lon) AS lon, avg(lat) AS lat, count(*)::integer AS nb_adresses
               FROM {table}
               WHERE lon IS NOT NULL
               GROUP BY code_insee, nom_commune""",
        ),
    },
)

# --- SIRENE: StockEtablissement (54 columns) ------------------------------------------------------
SIRENE_ETABLISSEMENT_ENTETE = (
    "siren", "nic", "siret", "statutDiffusionEtablissement", "dateCreationEtablissement",
    "trancheEffectifsEtablissement", "anneeEffectifsEtablissement", "activitePrincipaleRegistreMetiersEtablissement",
    "dateDernierTraitementEtablissement", "etablissementSiege", "nombrePeriodesEtablissement",
    "complementAdresseEtablissement", "numeroVoieEtablissement", "indiceRepetitionEtablissement",
    "dernierNumeroVoieEtablissement", "indiceRepetitionDernierNumeroVoieEtablissement", "typeVoieEtablissement",
    "libelleVoieEtablissement", "codePostalEtablissement", "libelleCommuneEtablissement",
    "libelleCommuneEtrangerEtablissement", "distributionSpecialeEtablissement", "codeCommuneEtablissement",
    "codeCedexEtablissement", "libelleCedexEtablissement", "codePaysEtrangerEtablissement",
    "libellePaysEtrangerEtablissement", "identifiantAdresseEtablissement", "coordonneeLambertAbscisseEtablissement",
    "coordonneeLambertOrdonneeEtablissement", "complementAdresse2Etablissement", "numeroVoie2Etablissement",
    "indiceRepetition2Etablissement", "typeVoie2Etablissement", "libelleVoie2Etablissement",
    "codePostal2Etablissement", "libelleCommune2Etablissement", "libelleCommuneEtranger2Etablissement",
    "distributionSpeciale2Etablissement", "codeCommune2Etablissement", "codeCedex2Etablissement",
    "libelleCedex2Etablissement", "codePaysEtranger2Etablissement", "libellePaysEtranger2Etablissement",
    "dateDebut", "etatAdministratifEtablissement", "enseigne1Etablissement", "enseigne2Etablissement",
    "enseigne3Etablissement", "denominationUsuelleEtablissement", "activitePrincipaleEtablissement",
    "nomenclatureActivitePrincipaleEtablissement", "caractereEmployeurEtablissement",
    "activitePrincipaleNAF25Etablissement",
)

_SIRENE_STOCK = "https://object.files.data.gouv.fr/data-pipeline-open/siren/stock"
SIRENE_ETABLISSEMENT = JeuDeDonnees(
    nom="sirene_etablissement",
    url=f"{_SIRENE_STOCK}/StockEtablissement_utf8.zip",
    min_lignes=35_000_000,
    format="csv",
    entete=SIRENE_ETABLISSEMENT_ENTETE,
    colonnes=tuple(Colonne(c.lower()) for c in SIRENE_ETABLISSEMENT_ENTETE),  # all text: codes keep their zeros
    apres=("CREATE INDEX ON {table} (siret)", "CREATE INDEX ON {table} (siren)"),
)

# --- SIRENE: StockUniteLegale (35 columns) and StockEtablissementLiensSuccession (6 columns) ------
SIRENE_UNITE_LEGALE_ENTETE = (
    "siren", "statutDiffusionUniteLegale", "unitePurgeeUniteLegale", "dateCreationUniteLegale", "sigleUniteLegale",
    "sexeUniteLegale", "prenom1UniteLegale", "prenom2UniteLegale", "prenom3UniteLegale", "prenom4UniteLegale",
    "prenomUsuelUniteLegale", "pseudonymeUniteLegale", "identifiantAssociationUniteLegale",
    "trancheEffectifsUniteLegale", "anneeEffectifsUniteLegale", "dateDernierTraitementUniteLegale",
    "nombrePeriodesUniteLegale", "categorieEntreprise", "anneeCategorieEntreprise", "dateDebut",
    "etatAdministratifUniteLegale", "nomUniteLegale", "nomUsageUniteLegale", "denominationUniteLegale",
    "denominationUsuelle1UniteLegale", "denominationUsuelle2UniteLegale", "denominationUsuelle3UniteLegale",
    "categorieJuridiqueUniteLegale", "activitePrincipaleUniteLegale", "nomenclatureActivitePrincipaleUniteLegale",
    "nicSiegeUniteLegale", "economieSocialeSolidaireUniteLegale", "societeMissionUniteLegale",
    "caractereEmployeurUniteLegale", "activitePrincipaleNAF25UniteLegale",
)


def _sirene(nom: str, entete: tuple[str, ...], index: tuple[str, ...], *, url: str, min_lignes: int) -> JeuDeDonnees:
    """A SIRENE stock file: all columns text (codes keep their zeros), lower-cased names."""
    return JeuDeDonnees(nom=nom, url=url, min_lignes=min_lignes, format="csv", entete=entete,
                        colonnes=tuple(Colonne(c.lower()) for c in entete),
                        apres=tuple(f"CREATE INDEX ON {{table}} ({c})" for c in index))


SIRENE_UNITE_LEGALE = _sirene("sirene_unite_legale", SIRENE_UNITE_LEGALE_ENTETE, ("siren",),
                              url=f"{_SIRENE_STOCK}/StockUniteLegale_utf8.zip", min_lignes=25_000_000)
SIRENE_LIEN_SUCCESSION = _sirene("sirene_lien_succession", (
    "siretEtablissementPredecesseur", "siretEtablissementSuccesseur", "dateLienSuccession", "transfertSiege",
    "continuiteEconomique", "dateDernierTraitementLienSuccession",
), ("siretetablissementpredecesseur",),
    url=f"{_SIRENE_STOCK}/StockEtablissementLiensSuccession_utf8.zip", min_lignes=3_000_000)

# --- BAN: lieux-dits (`;`-separated export of the named places without house numbers) -------------
BAN_LIEUX_DITS_ENTETE = (
    "id", "nom_lieu_dit", "code_postal", "code_insee", "nom_commune", "code_insee_ancienne_commune",
    "nom_ancienne_commune", "x", "y", "lon", "lat", "source_position", "source_nom_voie",
)
BAN_LIEUX_DITS = JeuDeDonnees(
    nom="ban_lieux_dits",
    url="https://adresse.data.gouv.fr/data/ban/adresses/latest/csv/lieux-dits-beta-france.csv.gz",
    min_lignes=500_000,
    format="csv",
    delimiteur=";",
    entete=BAN_LIEUX_DITS_ENTETE,
    colonnes=tuple(Colonne(c, _BAN_TYPES.get(c, "text")) for c in BAN_LIEUX_DITS_ENTETE),
    apres=("CREATE INDEX ON {table} (code_insee)", "CREATE INDEX ON {table} (code_postal)"),
)

# --- La Poste: base officielle des codes postaux (data-fair export) --------------------------------
LAPOSTE_CODE_POSTAL = JeuDeDonnees(
    nom="laposte_code_postal",
    url="https://datanova.laposte.fr/data-fair/api/v1/datasets/laposte-hexasmal/raw",
    min_lignes=38_000,
    format="csv",
    entete=("code_commune_insee", "nom_de_la_commune", "code_postal", "libelle_d_acheminement", "ligne_5",
            "_geopoint", "latitude", "longitude"),
    colonnes=(Colonne("code_commune_insee"), Colonne("nom_de_la_commune"), Colonne("code_postal"),
              Colonne("libelle_d_acheminement"), Colonne("ligne_5"), Colonne("geopoint"),
              Colonne("latitude", "double precision"), Colonne("longitude", "double precision")),
    apres=("CREATE INDEX ON {table} (code_postal)", "CREATE INDEX ON {table} (code_commune_insee)"),
)


# --- INSEE communes and EPCI (decoupage-administratif) ---------------------------------------------
_DECOUPAGE = "https://unpkg.com/@etalab/decoupage-administratif@6.0.0/data"


def _commune(obj: dict) -> tuple:
    return (obj["code"], obj["nom"], obj["type"], obj.get("departement"), obj.get("region"),
            obj.get("codesPostaux") or [], obj.get("population"), obj.get("commune") or obj.get("chefLieu"))


INSEE_COMMUNE = JeuDeDonnees(
    nom="insee_commune",
    url=f"{_DECOUPAGE}/communes.json",
    min_lignes=34_000,
    format="json",
    cles=("code", "nom", "type"),
    ligne=_commune,
    colonnes=(Colonne("code"), Colonne("nom"), Colonne("type"), Colonne("departement"), Colonne("region"),
              Colonne("codes_postaux", "text[]"), Colonne("population", "integer"), Colonne("commune_parente")),
    apres=("CREATE INDEX ON {table} (code)", "CREATE INDEX ON {table} USING gin (codes_postaux)"),
)


def _epci(obj: dict) -> tuple:
    return (obj["code"], obj["nom"], obj.get("type"), obj.get("populationTotale"),
            [m["code"] for m in obj["membres"]])


INSEE_EPCI = JeuDeDonnees(
    nom="insee_epci",
    url=f"{_DECOUPAGE}/epci.json",
    min_lignes=1_200,
    format="json",
    cles=("code", "nom", "membres"),
    ligne=_epci,
    colonnes=(Colonne("code"), Colonne("nom"), Colonne("type"), Colonne("population", "integer"),
              Colonne("membres", "text[]")),
    apres=("CREATE INDEX ON {table} (code)", "CREATE INDEX ON {table} USING gin (membres)"),
)


INSEE_DEPARTEMENT = JeuDeDonnees(
    nom="insee_departement",
    url=f"{_DECOUPAGE}/departements.json",
    min_lignes=100,
    format="json",
    cles=("code", "nom", "region"),
    ligne=lambda obj: (obj["code"], obj["nom"], obj["region"]),
    colonnes=(Colonne("code"), Colonne("nom"), Colonne("region")),
)


# --- contours (GeoJSON FeatureCollections) ---------------------------------------------------------
def _contour(feature: dict) -> tuple:
    props = feature.get("properties") or {}
    code = props.get("code") or props.get("c_arinsee") or props.get("insee")
    nom = props.get("nom") or props.get("l_ar")
    if code is None or feature.get("geometry") is None:
        raise CloneSchemaError(f"contour without code or geometry: properties {sorted(props)[:10]}")
    return (str(code), nom, json.dumps(feature["geometry"]))


_CONTOUR_APRES = (
    # invalid rings repaired, polygons promoted to multipolygons, whatever else dropped
    "ALTER TABLE {table} ADD COLUMN geom geometry(MultiPolygon, 4326)",
    """UPDATE {table} SET geom = ST_Multi(ST_CollectionExtract(ST_MakeValid(
           ST_SetSRID(ST_GeomFromGeoJSON(geojson), 4326)), 3))""",
    "ALTER TABLE {table} DROP COLUMN geojson",
    "ALTER TABLE {table} ADD CHECK (ST_IsValid(geom))",
    "CREATE INDEX ON {table} USING gist (geom)",
    "CREATE INDEX ON {table} (code)",
)


def _contours(nom: str, *, url: str, min_lignes: int) -> JeuDeDonnees:
    return JeuDeDonnees(nom=nom, url=url, min_lignes=min_lignes, format="geojson", cles=("geometry", "properties"),
                        ligne=_contour, colonnes=(Colonne("code"), Colonne("nom"), Colonne("geojson")),
                        apres=_CONTOUR_APRES)


_CONTOURS_ETALAB = "https://etalab-datasets.geo.data.gouv.fr/contours-administratifs/2025/geojson"
CONTOUR_COMMUNE = _contours("contour_commune", url=f"{_CONTOURS_ETALAB}/communes-100m.geojson.gz", min_lignes=34_000)
CONTOUR_DEPARTEMENT = _contours("contour_departement", url=f"{_CONTOURS_ETALAB}/departements-100m.geojson.gz",
                                min_lignes=100)

JEUX: dict[str, JeuDeDonnees] = {j.nom: j for j in (
    BAN, SIRENE_ETABLISSEMENT, LAPOSTE_CODE_POSTAL, INSEE_COMMUNE, INSEE_EPCI, INSEE_DEPARTEMENT, CONTOUR_COMMUNE, CONTOUR_DEPARTEMENT,
    BAN_LIEUX_DITS, SIRENE_UNITE_LEGALE, SIRENE_LIEN_SUCCESSION,
)}
