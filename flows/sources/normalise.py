"""Pure normalisation: one source record → one or more *lignes* (see
geoapp/suggestions/lignes.py), or `LigneRejetee` with the reason (the row goes to quarantine)."""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from geoapp.acteurs.identifiants import IdentifiantError, acteur_identifiant_unique

from .config import EO_KNOWN_FIELDS, EcoOrganisme

log = logging.getLogger(__name__)

NULLS = {"null", "none", "nan", "na", "n/a", "non applicable", "aucun", "-"}
MAPPING_FILE = Path(__file__).resolve().parents[2] / "data" / "reference" / "eo-produits-vers-sous-categories.json"


class LigneRejetee(ValueError):
    """A row that cannot become an acteur: quarantined with this reason."""

    def __init__(self, raison: str, identifiant_unique: str | None = None):
        super().__init__(raison)
        self.raison = raison
        self.identifiant_unique = identifiant_unique


@lru_cache(maxsize=1)
def mappings() -> dict[str, dict]:
    return json.loads(MAPPING_FILE.read_text(encoding="utf-8"))


def ascii_lower(value: str) -> str:
    return unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode().strip().lower()


_NULLS_LONGUEUR = max(map(len, NULLS))


def clean(value):
    """Null-like values → "" (strings) / removed (lists); None → ""."""
    if isinstance(value, str):  # (every field of every record: a longer text cannot be null-like)
        value = value.strip()
        return value if len(value) > _NULLS_LONGUEUR or value.lower() not in NULLS else ""
    if value is None:
        return ""
    if isinstance(value, list):
        return [v for v in (clean(x) for x in value) if v != ""]
    return value


def multi(value) -> list[str]:
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [v.strip() for v in str(value or "").split("|") if v.strip() and v.strip().lower() not in NULLS]


_HEURE = re.compile(r"(\d{1,2})h(\d{2})")
_NON_TELEPHONE = re.compile(r"[^\d+]")
_NON_CHIFFRE = re.compile(r"\D")
_CEDEX = re.compile(r"\s*CEDEX\s*\d*", re.I)

# --- transforms, by name (the configuration refers to them) -------------------------------------

TYPES_ACTEUR = {
    "solution en ligne (site web, app. mobile)": "acteur_digital",
    "artisan, commerce independant": "artisan",
    "magasin / franchise, enseigne commerciale / distributeur / point de vente": "commerce",
    "magasin / franchise, enseigne commerciale / distributeur / point de vente "
    "magasin / franchise, enseigne commerciale / distributeur / point de vente": "commerce",
    "point d'apport volontaire publique": "pav_public",
    "association, entreprise de l'economie sociale et solidaire (ess)": "ess",
    "etablissement de sante": "ets_sante",
    "decheterie": "decheterie",
    "point d'apport volontaire prive": "pav_prive",
    "plateforme inertes": "plateforme_inertes",
    "point d'apport volontaire ephemere / ponctuel": "pav_ponctuel",
}
PUBLICS = {"particuliers": "Particuliers", "professionnels": "Professionnels",
           "particuliers et professionnels": "Particuliers et professionnels", "dma": "Particuliers",
           "pro": "Professionnels", "dma/pro": "Particuliers et professionnels", "np": ""}


def t_code_source(v) -> str:
    return str(v).strip().lower()


def t_type_acteur(v) -> str:
    if not v:
        raise LigneRejetee("type de point de collecte vide")
    code = TYPES_ACTEUR.get(ascii_lower(str(v).replace("’", "'")))
    if code is None:
        raise LigneRejetee(f"type de point de collecte inconnu : {v}")
    return code


def t_public_accueilli(v) -> str:
    return PUBLICS.get(str(v).strip().lower(), "")


def t_booleen(v) -> bool | None:
    if isinstance(v, bool):
        return v
    s = str(v or "").strip().lower()
    if s in ("oui", "yes", "true", "1"):
        return True
    if s in ("non", "no", "false", "0"):
        return False
    return None


def t_reprise(v) -> str:
    s = str(v or "").strip().lower()
    return {"oui": "1 pour 1", "non": "1 pour 0", "1 pour 0": "1 pour 0", "1 pour 1": "1 pour 1"}.get(s, "")


def t_horaires_osm(v) -> str:
    return _HEURE.sub(r"\1:\2", str(v or "").strip())


def t_url(v) -> str:
    s = str(v or "").strip()
    if s and not re.match(r"^https?://", s):
        s = "https://" + s
    return s if re.match(r"^https?://[^\s/$.?#][^\s]*\.[^\s]+", s) else ""


def t_email(v) -> str:
    s = str(v or "").strip().lower()
    return s if re.match(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", s) else ""


def t_telephone(v, code_postal: str = "") -> str:
    s = _NON_TELEPHONE.sub("", str(v or ""))
    if s.startswith("+33"):
        s = "0" + s[3:]
    elif s.startswith("33") and len(s) == 11:
        s = "0" + s[2:]
    if len(s) == 9 and (not code_postal or code_postal < "96000"):
        s = "0" + s
    return s if len(s) >= 6 else ""


def t_lieu_prestation(v) -> str:
    s = ascii_lower(str(v or "")).upper()
    if s.startswith(("SERVICE A DOMICILE UNIQUEMENT", "OUI EXCLUSIVEMENT")):
        return "A_DOMICILE"
    if s.startswith(("OUI", "SERVICE A DOMICILE ET EN BOUTIQUE")):
        return "SUR_PLACE_OU_A_DOMICILE"
    return "SUR_PLACE"


DEPARTEMENTS_METROPOLE = tuple([f"{n:02d}" for n in range(1, 96) if n != 20] + ["2A", "2B"])
DEPARTEMENTS_DROM = ("971", "972", "973", "974", "976")


def perimetre_intervention(v) -> tuple[float | None, list[str]]:
    """`perimetre_dintervention` → (rayon en km, départements): `<n> km` a radius (the largest
    when several), 1–3 digits / 2A / 2B a département (one digit gets a leading 0), `France
    métropolitaine` and `DROM TOM` their départements; anything else is ignored (logged)."""
    rayon: float | None = None
    departements: set[str] = set()
    for item in multi(v):
        code = ascii_lower(item)
        km = re.fullmatch(r"(\d+(?:[.,]\d+)?)\s*km", code)
        if km:
            rayon = max(rayon or 0.0, float(km.group(1).replace(",", ".")))
        elif re.fullmatch(r"\d{1,3}|2a|2b", code):
            departements.add(code.upper().zfill(2))
        elif code.startswith("france metropolitaine") or code == "drom tom":
            if code.startswith("france metropolitaine"):
                departements.update(DEPARTEMENTS_METROPOLE)
            if code.endswith("drom tom"):
                departements.update(DEPARTEMENTS_DROM)
        else:
            log.info("périmètre d'intervention ignoré : %s", item)
    return rayon, sorted(departements)


TRANSFORMS = {
    "code_source": t_code_source, "type_acteur": t_type_acteur, "public_accueilli": t_public_accueilli,
    "booleen": t_booleen, "reprise": t_reprise, "horaires_osm": t_horaires_osm, "url": t_url, "email": t_email,
    "telephone": t_telephone, "lieu_prestation": t_lieu_prestation,
}


# --- shared pieces -------------------------------------------------------------------------------


def coordonnees(lat, lon) -> list[float] | None:
    """`[lon, lat]`, accepting `45,764`; None when either is missing or not a number."""
    try:
        if lat in ("", None) or lon in ("", None):
            return None
        return [float(str(lon).replace(",", ".")), float(str(lat).replace(",", "."))]
    except ValueError:
        return None


def siret_siren(siret, siren="") -> tuple[str, str]:
    digits = _NON_CHIFFRE.sub("", str(siret or ""))
    if len(digits) == 13:
        digits = "0" + digits
    siren_digits = _NON_CHIFFRE.sub("", str(siren or ""))
    if len(digits) == 9:
        return "", digits
    if digits and len(digits) != 14:
        raise LigneRejetee(f"SIRET invalide : {siret}")
    return digits, siren_digits or digits[:9]


_ADRESSE = re.compile(r"^(?P<adresse>.*?)[\s,;-]*(?P<cp>\d{4,5})[\s,;-]+(?P<ville>.+)$")


def adresse_ban(value: str) -> tuple[str, str, str]:
    """`12 Rue X 75003 Paris` → (adresse, code postal, ville)."""
    s = _CEDEX.sub("", str(value or "").strip())
    m = _ADRESSE.match(s)
    if not m:
        return s, "", ""
    return m["adresse"].strip(" ,;-"), m["cp"].zfill(5), m["ville"].strip().title()


def sous_categories(labels: list[str], mapping: dict, *, strict: bool = True) -> list[str]:
    codes: list[str] = []
    for label in labels:
        key = label.strip().lower()
        if key not in mapping:
            if strict:
                raise LigneRejetee(f"libellé de produit inconnu : {label}")
            continue
        value = mapping[key]
        codes += value if isinstance(value, list) else [value]
    return sorted(set(codes))


def identifiant_externe(value: str, nom: str, acteur_type: str) -> str:
    s = str(value or "").strip().replace("/", "-").replace(" ", "")
    if not s:
        s = re.sub(r"\s+", "_", str(nom or "").replace("-", "").strip())
        if s and acteur_type == "acteur_digital":
            s += "_d"
    if not s:
        raise LigneRejetee("ni identifiant ni nom")
    return s


def identifiant_unique(source: str, externe: str) -> str:
    try:
        return acteur_identifiant_unique(source_code=source, identifiant_externe=externe)
    except IdentifiantError as exc:
        raise LigneRejetee(str(exc)) from exc


def champs_inconnus(record: dict, known: frozenset = EO_KNOWN_FIELDS) -> list[str]:
    return sorted(set(record) - known)


# --- eco-organismes ------------------------------------------------------------------------------


def _eo_identifiants(r: dict, config: EcoOrganisme) -> tuple[str, list[str], list[str]]:
    """(identifiant externe, source codes, identifiants uniques) of a cleaned record; the type of
    point is read only when the name stands in for a missing identifier."""
    brut = r.get("id_point_apport_ou_reparation")
    acteur_type = "" if str(brut or "").strip() else t_type_acteur(r.get("type_de_point_de_collecte", ""))
    externe = identifiant_externe(brut, r.get("nom_de_lorganisme", "") or "", acteur_type)
    sources = [config.source_forcee] if config.source_forcee else (
        [f"{config.oca_prefixe}_{s.strip().lower()}" for s in multi(r.get("ecoorganisme"))]
        if config.oca_prefixe else [t_code_source(r.get("ecoorganisme", ""))])
    if not sources or not all(sources):
        raise LigneRejetee("éco-organisme vide")
    return externe, sources, [identifiant_unique(s, externe) for s in sources]


def eo_identifiant(record: dict, config: EcoOrganisme) -> str | None:
    """The identifiant of a record's (first) acteur whenever it can be read, whatever else is
    wrong with the record: a row that fails normalisation still protects its acteur."""
    try:
        return _eo_identifiants({k: clean(v) for k, v in record.items()}, config)[2][0]
    except Exception:
        return None


def eo_normaliser(record: dict, config: EcoOrganisme) -> list[dict]:
    """One data-fair line of an eco-organisme → its lignes (several for OCAB). A rejected row
    carries its identifiant when it could be computed (its acteur is then never deleted)."""
    r = {k: clean(v) for k, v in record.items()}
    externe, sources, ids = _eo_identifiants(r, config)
    try:
        acteur_type = t_type_acteur(r.get("type_de_point_de_collecte", ""))
        ligne = _eo_champs(r, config, acteur_type)
    except LigneRejetee as exc:
        raise LigneRejetee(exc.raison, exc.identifiant_unique or ids[0]) from None
    ligne["identifiant_externe"] = externe
    return [{**ligne, "source": source, "identifiant_unique": ident} for source, ident in zip(sources, ids)]


def _eo_champs(r: dict, config: EcoOrganisme, acteur_type: str) -> dict:
    ligne: dict = {}
    for src, dst in config.renames.items():
        ligne[dst] = r.get(src, "") or ""
    for dst, (src, name) in config.transforms.items():
        if dst in ("source", "acteur_type", "telephone"):
            continue
        ligne[dst] = TRANSFORMS[name](r.get(src, ""))
    ligne["acteur_type"] = acteur_type
    for k, v in config.defaults.items():
        if ligne.get(k) in ("", None):
            ligne[k] = v
    adresse, cp, ville = adresse_ban(r.get("adresse_format_ban", ""))
    ligne.update(adresse=adresse, code_postal=cp, ville=ville)
    ligne["telephone"] = t_telephone(r.get("telephone", ""), cp)
    ligne["siret"], ligne["siren"] = siret_siren(r.get("siret"), r.get("siren"))
    ligne["location"] = coordonnees(r.get("latitudewgs84"), r.get("longitudewgs84"))
    if ligne.get("lieu_prestation") == "SUR_PLACE":
        ligne["lieu_prestation"] = ""  # the default: nothing to say
    elif ligne.get("lieu_prestation"):  # at home: how far the acteur goes
        ligne["perimetre_rayon_km"], ligne["perimetre_departements"] = perimetre_intervention(
            r.get("perimetre_dintervention"))
    # sous-catégories, then services and actions from the four flags
    scats = sous_categories(multi(r.get("produitsdechets_acceptes")), mappings()[config.mapping])
    if not scats:
        raise LigneRejetee("aucune sous-catégorie")
    services, actions = set(), set()
    if t_booleen(r.get("point_dapport_de_service_reparation")) or t_booleen(r.get("point_de_reparation")):
        services.add("service_de_reparation")
        actions.add("reparer")
    if t_booleen(r.get("point_dapport_pour_reemploi")):
        services.add("structure_de_collecte")
        actions.add(config.reemploi_action)
    if t_booleen(r.get("point_de_collecte_ou_de_reprise_des_dechets")):
        services.add("structure_de_collecte")
        actions.add("trier")
    ligne["acteur_services"] = sorted(services)
    ligne["propositions"] = [{"action": a, "sous_categories": scats} for a in sorted(actions)]
    if not actions:
        ligne["statut"] = "INACTIF"
    labels = set()
    if acteur_type == "ess":
        labels.add("ess")
    for item in multi(r.get("labels_etou_bonus")):
        if config.label_bonus and "Agréé Bonus Réparation" in item:
            labels.add(config.label_bonus)
            continue
        code = ascii_lower(item)
        if code not in NULLS and code != "non":
            labels.add(code)
    ligne["labels"] = sorted(labels)
    return ligne
