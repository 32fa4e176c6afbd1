"""CMA, pharmacies, SINOE and S3 files: their normalisation rules (docs/SOURCE_FORMATS.md §2–5)
and their specs (`registre` gathers them). Pure functions; the flows are in their own files."""

from __future__ import annotations

import json
import re
from functools import partial
from typing import Callable

from django.conf import settings

from .clients.cma import cma_pages, cma_records
from .clients.datafair import Payload, datafair_lines, dataset_url, page_records
from .clients.http import HttpClient
from .clients.pharmacies import pharmacies_fetch, pharmacies_records
from .clients.s3 import s3_fetch, s3_rows
from .geocodage import geocodeur_ban, geocoder_avec_cache
from .normalise import (
    LigneRejetee,
    clean,
    coordonnees,
    identifiant_externe,
    identifiant_unique,
    mappings,
    multi,
    siret_siren,
    sous_categories,
    t_booleen,
    t_email,
    t_public_accueilli,
    t_telephone,
    t_url,
)
from .specs import SourceSpec

S3_COLONNES = frozenset({
    "identifiant_externe", "source_code", "nom", "nom_commercial", "nom_officiel", "acteur_type_code",
    "acteur_service_codes", "action_codes", "sous_categorie_codes", "label_codes", "adresse", "adresse_complement",
    "code_postal", "ville", "latitude", "longitude", "siret", "siren", "telephone", "url", "public_accueilli",
    "uniquement_sur_rdv", "exclusivite_de_reprisereparation", "reprise", "horaires_osm", "horaires_description",
    "description", "commentaires", "naf_principal", "statut"})
CMA_CHAMPS = frozenset({
    "id", "nom", "adresse", "adresse_2", "code_postal", "ville", "telephone", "email", "website", "facebook",
    "instagram", "linkedin", "siret", "nafa", "naf", "libelle_naf", "horaires", "description", "categories",
    "categorie", "categorie_2", "categorie_3", "activite", "activites_detaillees", "ban_latitude", "ban_longitude",
    "final_latitude", "final_longitude", "cma_code", "code_departement", "code_region", "cog",
    "date_creation_entreprise", "departement", "region", "eco_maison", "effectif", "geocode", "logo_file",
    "nom_gerant", "rgpd", "techloadts", "techprocessid", "techsource"})


def code_postal(value) -> str:
    digits = re.sub(r"\D", "", str(value or ""))
    return digits.zfill(5) if len(digits) == 4 else digits


def _lisible(identifiant: Callable[[dict], str]) -> Callable[[dict], str | None]:
    """The identifiant of a record whenever it can be read (None otherwise), whatever else is
    wrong with the record: a row that fails normalisation still protects its acteur."""
    def lire(record: dict) -> str | None:
        try:
            return identifiant(record)
        except Exception:
            return None

    return lire


def _avec_identifiant(source: str, externe: str, build) -> list[dict]:
    ident = identifiant_unique(source, externe)
    try:
        ligne = build()
    except LigneRejetee as exc:
        raise LigneRejetee(exc.raison, ident) from None
    return [{**ligne, "source": source, "identifiant_externe": externe, "identifiant_unique": ident}]


# --- CMA ------------------------------------------------------------------------------------------


def _cma_externe(r: dict) -> str:
    if not r.get("id"):
        raise LigneRejetee("identifiant CMA vide")
    return identifiant_externe(r["id"], r.get("nom"), "artisan")


def cma_normaliser(record: dict) -> list[dict]:
    r = {k: clean(v) for k, v in record.items()}
    externe = _cma_externe(r)

    def build() -> dict:
        cats = r.get("categories")
        labels = cats if isinstance(cats, list) else multi(cats)
        scats = sous_categories(labels, mappings()["sous_categories_cma"])
        if not scats:
            raise LigneRejetee("aucune sous-catégorie")
        siret, siren = siret_siren(r.get("siret"))
        cp = code_postal(r.get("code_postal"))
        url = next((u for u in (t_url(r.get(k)) for k in ("website", "facebook", "instagram")) if u), "")
        return {
            "nom": r.get("nom", ""), "adresse": r.get("adresse", ""), "adresse_complement": r.get("adresse_2", ""),
            "code_postal": cp, "ville": r.get("ville", ""), "description": r.get("description", ""),
            "horaires_description": r.get("horaires", ""), "naf_principal": str(r.get("nafa", ""))[:6],
            "location": coordonnees(r.get("final_latitude"), r.get("final_longitude")),
            "email": t_email(r.get("email")), "telephone": t_telephone(r.get("telephone"), cp),
            "siret": siret, "siren": siren, "url": url, "statut": "ACTIF", "labels": ["reparacteur"],
            "acteur_type": "artisan", "acteur_services": ["service_de_reparation"],
            "propositions": [{"action": "reparer", "sous_categories": scats}], "public_accueilli": "Particuliers",
        }

    return _avec_identifiant("cma_reparacteur", externe, build)


# --- pharmacies --------------------------------------------------------------------------------------


def _pharmacie_externe(r: dict) -> str:
    return identifiant_externe(r.get("Numéro d'établissement"), r.get("Raison sociale"), "commerce")


def pharmacie_normaliser(record: dict) -> list[dict]:
    r = {k: clean(v) for k, v in record.items() if k != "_geocodage"}
    externe = _pharmacie_externe(r)

    def build() -> dict:
        feature = record.get("_geocodage")
        if not feature or float(feature.get("properties", {}).get("score", 0)) <= 0.5:
            raise LigneRejetee("adresse non géocodée")
        lon, lat = feature["geometry"]["coordinates"][:2]
        cp = code_postal(r.get("Code postal"))
        return {
            "nom": r.get("Raison sociale", ""), "nom_commercial": r.get("Dénomination commerciale", ""),
            "adresse": r.get("Adresse", ""), "code_postal": cp, "ville": str(r.get("Commune", "")).title(),
            "telephone": t_telephone(r.get("Téléphone"), cp), "location": [lon, lat], "statut": "ACTIF",
            "uniquement_sur_rdv": False, "acteur_type": "commerce", "acteur_services": ["structure_de_collecte"],
            "propositions": [{"action": "trier", "sous_categories": ["medicaments"]}], "labels": [],
            "public_accueilli": "Particuliers",
        }

    return _avec_identifiant("ordredespharmaciens", externe, build)


# --- SINOE ------------------------------------------------------------------------------------------

SINOE_DATASET = "sinoe-(r)-annuaire-des-decheteries-dma"
SINOE_NOMENCLATURE = "sinoe-r-nomenclature-dechets"
SINOE_CHAMPS = frozenset({
    "_i", "_id", "_rand", "_score", "_geopoint", "ANNEE", "C_SERVICE", "N_SERVICE", "AD1_SITE", "AD2_SITE", "CP_SITE",
    "L_VILLE_SITE", "TEL_SERVICE", "FAX_SERVICE", "LST_TYPE_DECHET", "ORIGINE_DECHET_ACC", "AD1_ACTEUR", "AD2_ACTEUR",
    "C_ACTEUR", "C_COMM", "C_DEPT", "C_REGION", "C_TYP_ACTEUR", "CP_ACTEUR", "D_MODIF", "D_OUV", "FAX_ACTEUR", "GPS_LAT",
    "GPS_LONG", "GPS_PRECISION", "GPS_QUALITY", "GPS_X", "GPS_Y", "L_REGION", "L_TYP_ACTEUR", "L_VILLE_ACTEUR",
    "LOV_MO_GEST", "N_ACTEUR", "N_DEPT", "TEL_ACTEUR", "_nomenclature"})


def sinoe_fetch(client: HttpClient, base_url: str):
    url = dataset_url(base_url, SINOE_NOMENCLATURE, "lines")
    response, data = client.get(url, params={"size": 10000}, parse_json=True)
    page_records(data, url=url)
    yield Payload("nomenclature", url, response.content)
    yield from datafair_lines(client, base_url=base_url, dataset=SINOE_DATASET, size=settings.SOURCES_DATAFAIR_PAGE_SIZE,
                              params={"q_mode": "simple", "ANNEE_eq": settings.SOURCES_SINOE_ANNEE})


def sinoe_records(payloads: list[Payload]) -> list[dict]:
    """Pure: the lines, each carrying the nomenclature (code → label) of its run."""
    nomenclature: dict[str, str] = {}
    records: list[dict] = []
    for p in payloads:
        data = json.loads(p.body)
        if p.kind == "nomenclature":
            nomenclature = {r["C_TYP_DECHET"]: r.get("L_TYP_DECHET") or r.get("LST_TYP_DECHET") or ""
                            for r in page_records(data, url=p.url)}
        elif p.kind == "page":
            records += page_records(data, url=p.url)
    return [{**r, "_nomenclature": nomenclature} for r in records]


def _sinoe_externe(r: dict) -> str:
    return identifiant_externe(r.get("C_SERVICE"), r.get("N_SERVICE"), "decheterie")


def sinoe_normaliser(record: dict, *, annee: str | None = None) -> list[dict]:
    nomenclature = record.get("_nomenclature") or {}
    r = {k: clean(v) for k, v in record.items() if k != "_nomenclature"}
    externe = _sinoe_externe(r)

    def build() -> dict:
        if annee and str(r.get("ANNEE")) != str(annee):
            raise LigneRejetee(f"année inattendue : {r.get('ANNEE')}")
        labels = []
        for code in multi(r.get("LST_TYPE_DECHET")):
            if code.lower() in ("nan", "np", "none"):
                continue
            if code not in nomenclature:
                raise LigneRejetee(f"code déchet inconnu de la nomenclature : {code}")
            labels.append(nomenclature[code])
        scats = sous_categories(labels, mappings()["sous_categories_sinoe"], strict=False)
        if not scats:
            raise LigneRejetee("aucune sous-catégorie")
        lat, _, lon = str(r.get("_geopoint", "")).partition(",")
        cp = code_postal(r.get("CP_SITE"))
        return {
            "nom": r.get("N_SERVICE", ""), "adresse": r.get("AD1_SITE", ""), "adresse_complement": r.get("AD2_SITE", ""),
            "ville": str(r.get("L_VILLE_SITE", "")).title(), "code_postal": cp,
            "telephone": t_telephone(r.get("TEL_SERVICE"), cp), "public_accueilli": t_public_accueilli(
                r.get("ORIGINE_DECHET_ACC")), "location": coordonnees(lat, lon), "statut": "ACTIF",
            "acteur_type": "decheterie", "labels": [], "acteur_services": ["structure_de_collecte"],
            "propositions": [{"action": "trier", "sous_categories": scats}],
        }

    return _avec_identifiant("ademesinoedecheteries", externe, build)


# --- S3 files ------------------------------------------------------------------------------------------


def _s3_propre(record: dict) -> dict:
    return {k: clean(v) if not isinstance(v, (int, float)) else v for k, v in record.items()}


def _s3_externe(r: dict) -> str:
    return identifiant_externe(str(r.get("identifiant_externe", "")), r.get("nom"), r.get("acteur_type_code", ""))


def s3_normaliser(record: dict, *, source: str) -> list[dict]:
    r = _s3_propre(record)
    code = str(r.get("source_code", "")).strip().lower()
    if code != source:
        raise LigneRejetee(f"source inattendue dans ce fichier : {r.get('source_code')}")
    externe = _s3_externe(r)

    def build() -> dict:
        siret, siren = siret_siren(r.get("siret"), r.get("siren"))
        cp = code_postal(r.get("code_postal"))
        actions = multi(r.get("action_codes"))
        scats = sorted(set(multi(r.get("sous_categorie_codes"))))
        if not scats:
            raise LigneRejetee("aucune sous-catégorie")
        return {
            **{k: str(r.get(k, "") or "") for k in ("nom", "nom_commercial", "nom_officiel", "adresse", "adresse_complement",
                                                    "ville", "horaires_osm", "horaires_description", "description",
                                                    "commentaires", "naf_principal")},
            "acteur_type": r.get("acteur_type_code", ""), "code_postal": cp, "siret": siret, "siren": siren,
            "telephone": t_telephone(r.get("telephone"), cp), "url": t_url(r.get("url")),
            "location": coordonnees(r.get("latitude"), r.get("longitude")),
            "public_accueilli": t_public_accueilli(r.get("public_accueilli")),
            "uniquement_sur_rdv": t_booleen(r.get("uniquement_sur_rdv")),
            "exclusivite_de_reprisereparation": t_booleen(r.get("exclusivite_de_reprisereparation")),
            "statut": str(r.get("statut") or "ACTIF").upper(), "labels": multi(r.get("label_codes")),
            "acteur_services": multi(r.get("acteur_service_codes")),
            "propositions": [{"action": a, "sous_categories": scats} for a in actions],
        }

    return _avec_identifiant(source, externe, build)


def s3_source(key: str) -> str:
    """The source a file names: its first folder (`lvao/acteurs.xlsx` → `lvao`)."""
    head = key.strip("/").split("/", 1)
    if len(head) < 2 or not head[0]:
        raise ValueError(f"le chemin S3 doit commencer par le code de la source : {key}")
    return head[0].lower()


def s3_spec(key: str) -> SourceSpec:
    source = s3_source(key)
    return SourceSpec(
        flux=f"s3/{key}", sources=(source,),
        fetch=lambda client, base_url: iter([s3_fetch(endpoint_url=base_url or None, bucket=settings.SOURCES_S3_BUCKET,
                                                      key=key)]),
        records=lambda payloads: [row for p in payloads for row in s3_rows(p)],
        normaliser=partial(s3_normaliser, source=source), base_url=lambda: settings.SOURCES_S3_ENDPOINT_URL or "",
        champs_connus=S3_COLONNES,
        identifiant=_lisible(lambda record: identifiant_unique(source, _s3_externe(_s3_propre(record)))),
    )


def _propre(record: dict, *, sauf: str = "") -> dict:
    return {k: clean(v) for k, v in record.items() if k != sauf}


CMA_SPEC = SourceSpec(
    flux="cma", sources=("cma_reparacteur",),
    fetch=lambda client, base_url: cma_pages(client, base_url=base_url, page_size=settings.SOURCES_CMA_PAGE_SIZE),
    records=cma_records, normaliser=cma_normaliser, base_url=lambda: settings.SOURCES_CMA_URL, champs_connus=CMA_CHAMPS,
    identifiant=_lisible(lambda record: identifiant_unique("cma_reparacteur", _cma_externe(_propre(record)))),
)


def pharmacies_fetch_geocoder(client: HttpClient, base_url: str):
    geocodeur = geocodeur_ban(search_url=settings.SOURCES_GEOCODAGE_URL, timeout=settings.SOURCES_HTTP_TIMEOUT,
                              debit_par_hote=settings.SOURCES_HTTP_RATE_PER_HOST)
    try:
        yield from pharmacies_fetch(client, url=base_url, geocodage_url=settings.SOURCES_GEOCODAGE_URL,
                                    geocoder=partial(geocoder_avec_cache,
                                                     geocoder_lot=lambda q: geocodeur.geocoder_lot(adresses=q)))
    finally:
        geocodeur.close()


PHARMACIES_SPEC = SourceSpec(
    flux="pharmacies", sources=("ordredespharmaciens",),
    fetch=pharmacies_fetch_geocoder,
    records=pharmacies_records, normaliser=pharmacie_normaliser, base_url=lambda: settings.SOURCES_PHARMACIES_URL,
    identifiant=_lisible(lambda record: identifiant_unique(
        "ordredespharmaciens", _pharmacie_externe(_propre(record, sauf="_geocodage")))),
)
SINOE_SPEC = SourceSpec(
    flux="sinoe", sources=("ademesinoedecheteries",), fetch=sinoe_fetch, records=sinoe_records,
    normaliser=lambda r: sinoe_normaliser(r, annee=settings.SOURCES_SINOE_ANNEE),
    base_url=lambda: settings.SOURCES_DATAFAIR_ADEME_URL, champs_connus=SINOE_CHAMPS,
    identifiant=_lisible(lambda record: identifiant_unique(
        "ademesinoedecheteries", _sinoe_externe(_propre(record, sauf="_nomenclature")))),
)
