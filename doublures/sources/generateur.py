"""Records GENERATED from a seed in the real formats of each source, placed on real addresses of
the bundled Paris BAN file (data/ban/adresses-75.csv.gz). Names, SIRETs and product lists look
real; they are not real collection points. The same seed and size always give the same records."""

from __future__ import annotations

import csv
import gzip
import io
import math
import random
from functools import lru_cache

from flows import REPO
from flows.sources.config import ECO_ORGANISMES
from flows.sources.normalise import TYPES_ACTEUR, mappings

DATA = REPO / "data"
BAN = DATA / "ban" / "adresses-75.csv.gz"

NOMS = ["Atelier", "Boutique", "Ressourcerie", "Comptoir", "Maison", "Espace", "Point", "Relais", "Bric",
        "Cordonnerie", "Repair", "Collecte", "Trocante", "Recyclerie"]
QUALIFS = ["du Marais", "Saint-Martin", "des Lilas", "Voltaire", "de la Gare", "du Canal", "Belleville",
           "Montmartre", "Bastille", "République", "des Halles", "Mouffetard", "Nation", "Denfert"]
ENSEIGNES = ["Emmaüs", "La Petite Rockette", "Envie", "Repar'Tout", "Second Souffle", "Cyclofix", "Vestiaire",
             "Le Chaînon", "Rejoué", "Bis Repetita"]
LIBELLES_TYPE = [label for label, code in TYPES_ACTEUR.items() if code != "acteur_digital" and label.count("/") < 6]
EO_NOMS = {"corepile": ["Corepile", "Ecosystem"], "ocab": ["Valobat", "Ecomaison", "Valdelia", "Ecominero"]}


@lru_cache(maxsize=1)
def ban_adresses() -> list[tuple[str, str, str, str, float, float]]:
    """(numéro+rep, voie, code postal, commune, lon, lat) of every Paris address."""
    out = []
    with gzip.open(BAN, "rt", encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter=";"):
            out.append((f"{row['numero']}{row['rep']}", row["nom_voie"], row["code_postal"],
                        row["libelle_acheminement"].title(), float(row["lon"]), float(row["lat"])))
    return out


@lru_cache(maxsize=1)
def sous_categories_connues() -> frozenset:
    import json

    rows = json.loads((DATA / "reference" / "categories.json").read_text(encoding="utf-8"))
    return frozenset(r["fields"]["code"] for r in rows if r["model"].endswith("souscategorieobjet"))


def produits(mapping: str) -> list[str]:
    """Product labels of a mapping whose sous-catégories all exist in the referential."""
    known = sous_categories_connues()
    out = []
    for label, value in mappings()[mapping].items():
        codes = value if isinstance(value, list) else [value]
        if codes and all(c in known for c in codes):
            out.append(label)
    return sorted(out)


def siret(rng: random.Random) -> str:
    """A 14-digit SIRET whose Luhn checksum is right."""
    digits = [rng.randrange(10) for _ in range(13)]
    for last in range(10):
        candidate = digits + [last]
        total = sum((d * 2 - 9 if d * 2 > 9 else d * 2) if i % 2 else d for i, d in enumerate(reversed(candidate)))
        if total % 10 == 0:
            return "".join(map(str, candidate))
    raise AssertionError


def _nom(rng: random.Random) -> str:
    return f"{rng.choice(NOMS)} {rng.choice(QUALIFS)}"


def _telephone(rng: random.Random) -> str:
    return "01 " + " ".join(f"{rng.randrange(100):02d}" for _ in range(4))


# --- places several sources publish (for the deduplication) -------------------------------------
#
# One record in 4 of the eco-organismes and of the CMA (i % 4 == 2) is a place drawn from a pool
# shared by every source (8 times as many places as a source draws: each is published by about 2
# or 3 of the 20 sources), each copy with its own spelling: the name's case, "Ets", "bd" /
# "boulevard", "av" / "avenue", the SIRET missing, the point 3 to 30 m away. The pool holds hard
# negatives too: two shops at one address, a chain's stores in one street.

PARTAGE_MODULO, PARTAGE_RESTE = 4, 2
METIERS_PARTAGES = ["Cordonnerie", "Atelier", "Ressourcerie", "Recyclerie", "Horlogerie", "Retouches", "Bricothèque"]
PATRONYMES = ["Martin", "Bernard", "Dubois", "Moreau", "Laurent", "Lefèvre", "Girard", "Fontaine", "Rousseau", "Mercier",
              "Chevalier", "Gauthier", "Perrin", "Lemaire", "Roussel", "Garnier", "Faure", "Blanchard"]
CHAINES = ["Cash Express", "Mister Minit", "Envie Paris", "Cordo Services"]


@lru_cache(maxsize=1)
def _voies() -> dict[tuple[str, str], list[int]]:
    """(street, postal code) → indices of its addresses in `ban_adresses()`."""
    out: dict[tuple[str, str], list[int]] = {}
    for k, (_, voie, cp, _, _, _) in enumerate(ban_adresses()):
        out.setdefault((voie, cp), []).append(k)
    return out


@lru_cache(maxsize=8)
def lieux_partages(taille: int, *, seed: int = 42) -> tuple[dict, ...]:
    """The pool of places several sources publish: name, address, SIRET, position."""
    rng = random.Random(f"{seed}-lieux-partages")
    adresses = ban_adresses()
    out: list[dict] = []

    def lieu(k: int, nom: str) -> dict:
        numero, voie, cp, ville, lon, lat = adresses[k]
        return {"nom": nom, "numero": numero, "voie": voie, "cp": cp, "ville": ville, "lon": lon, "lat": lat,
                "siret": siret(rng)}

    while len(out) < taille:
        k = rng.randrange(len(adresses))
        r = rng.random()
        if r < 0.1:  # a chain's stores in one street: same brand, other numbers
            enseigne = rng.choice(CHAINES)
            rue = _voies()[adresses[k][1:3]]
            for m in sorted(set(rng.sample(rue, min(len(rue), 2)))):
                out.append(lieu(m, enseigne))
            continue
        out.append(lieu(k, f"{rng.choice(METIERS_PARTAGES)} {rng.choice(PATRONYMES)}"))
        if r < 0.2:  # two shops at one address
            out.append({**lieu(k, f"{rng.choice(METIERS_PARTAGES)} {rng.choice(PATRONYMES)}"),
                        "lon": out[-1]["lon"] + 0.00002})
    return tuple(out[:taille])


def _copie_partagee(lieu: dict, rng: random.Random) -> dict:
    """A copy of a shared place as one source spells it."""
    nom = lieu["nom"]
    r = rng.random()
    nom = nom.upper() if r < 0.25 else nom.lower() if r < 0.4 else f"Ets {nom}" if r < 0.5 else nom
    voie = lieu["voie"]
    if rng.random() < 0.5:
        voie = voie.replace("Boulevard ", "bd ").replace("Avenue ", "av ").replace("Saint-", "St-")
    metres = rng.uniform(3, 30)
    angle = rng.uniform(0, 6.283)

    lat = lieu["lat"] + metres * math.sin(angle) / 111_195
    lon = lieu["lon"] + metres * math.cos(angle) / (111_195 * math.cos(math.radians(lieu["lat"])))
    return {"nom": nom, "adresse": f"{lieu['numero']} {voie}", "numero": lieu["numero"], "voie": voie,
            "cp": lieu["cp"], "ville": lieu["ville"], "lon": round(lon, 7), "lat": round(lat, 7),
            "siret": "" if rng.random() < 0.4 else lieu["siret"]}


def copies_partagees(source: str, n: int, *, seed: int = 42) -> dict[int, dict]:
    """Record index → the shared place's copy it publishes, for a source of `n` records."""
    rng = random.Random(f"{seed}-{source}-partages")
    slots = [i for i in range(n) if i % PARTAGE_MODULO == PARTAGE_RESTE]
    if not slots:
        return {}
    pool = lieux_partages(8 * len(slots), seed=seed)
    choisis = rng.sample(range(len(pool)), len(slots))
    return {i: _copie_partagee(pool[k], rng) for i, k in zip(slots, choisis)}


def eo_records(cle: str, n: int, *, seed: int = 42, version: int = 0) -> list[dict]:
    """`n` data-fair lines of eco-organisme `cle`. `version` > 0 changes a few records (phone
    numbers) the way a new extract would."""
    config = ECO_ORGANISMES[cle]
    rng = random.Random(f"{seed}-{cle}")
    adresses = ban_adresses()
    labels_produits = produits(config.mapping)
    prefix = cle[:3].upper()
    out = []
    for i in range(n):
        numero, voie, cp, ville, lon, lat = adresses[rng.randrange(len(adresses))]
        nom = _nom(rng)
        reparation, reemploi, collecte = rng.random() < 0.4, rng.random() < 0.5, rng.random() < 0.6
        if not (reparation or reemploi or collecte):
            collecte = True
        eo = EO_NOMS.get(config.cle, [config.cle.capitalize()])
        ecoorganisme = ("|".join(rng.sample(eo, rng.randint(1, 2))) if config.oca_prefixe
                        else rng.choice(eo))
        labels = ""
        if config.label_bonus and rng.random() < 0.3:
            labels = "Agréé Bonus Réparation"
        tel = _telephone(rng)
        domicile = rng.choice(["Non", "Oui", "Service à domicile uniquement"])
        if version and i % 10 == 0:
            tel = f"01 99 {version:02d} {i % 100:02d} 00"
        out.append({
            "_i": i + 1, "_id": f"{cle}{i:07d}", "_rand": rng.randrange(10**6), "_score": None,
            "_geopoint": f"{lat},{lon}", "_updatedAt": "2026-06-01T00:00:00.000Z",
            "id_point_apport_ou_reparation": f"{prefix}-{i:07d}",
            "nom_de_lorganisme": nom,
            "enseigne_commerciale": rng.choice(ENSEIGNES) if rng.random() < 0.3 else "",
            "ecoorganisme": ecoorganisme,
            "type_de_point_de_collecte": rng.choice(LIBELLES_TYPE).capitalize(),
            "public_accueilli": rng.choice(["Particuliers", "Particuliers et professionnels", "Professionnels"]),
            "exclusivite_de_reprisereparation": rng.choice([True, False, ""]),
            "uniquement_sur_rdv": rng.choice(["oui", "non", ""]),
            "reprise": rng.choice(["1 pour 0", "1 pour 1", ""]),
            "produitsdechets_acceptes": "|".join(rng.sample(labels_produits, min(len(labels_produits), rng.randint(1, 3)))),
            "consignes_dacces": "",
            "adresse_complement": rng.choice(["", "Bâtiment B", "Cour intérieure"]),
            "horaires_douverture": rng.choice(["Mo-Fr 09:00-18:00", "Tu-Sa 10h00-19h00", ""]),
            "site_web": rng.choice(["", f"www.{nom.split()[0].lower()}-{i}.fr"]),
            "email": rng.choice(["", f"contact{i}@exemple.fr"]),
            "latitudewgs84": lat, "longitudewgs84": lon,
            "labels_etou_bonus": labels,
            "siret": siret(rng), "siren": "",
            "adresse_format_ban": f"{numero} {voie} {cp} {ville}",
            "telephone": tel,
            "point_dapport_de_service_reparation": reparation, "point_de_reparation": False,
            "point_dapport_pour_reemploi": reemploi, "point_de_collecte_ou_de_reprise_des_dechets": collecte,
            "service_a_domicile": domicile,
            "perimetre_dintervention": "" if domicile == "Non" else PERIMETRES[i % len(PERIMETRES)],
            "filiere": "", "latitudemercator": "", "longitudemercator": "", "accessible": "",
            "date_debut_point_ephemere": "", "date_fin_point_ephemere": "",
        })
    for i, c in copies_partagees(cle, n, seed=seed).items():
        out[i].update({"nom_de_lorganisme": c["nom"], "enseigne_commerciale": "", "siret": c["siret"],
                       "adresse_format_ban": f"{c['numero']} {c['voie']} {c['cp']} {c['ville']}",
                       "latitudewgs84": c["lat"], "longitudewgs84": c["lon"], "_geopoint": f"{c['lat']},{c['lon']}"})
    return out


PERIMETRES = ("20 km", "75|92|93|94", "France métropolitaine", "", "5 km|2A|2B")
BAD_ROWS = ("sans_coordonnees", "hors_france", "siret_invalide", "produit_inconnu", "doublon")


def eo_bad_rows(records: list[dict]) -> list[dict]:
    """One bad row of each kind, built from the first records (their ids stay those records')."""
    base = records[0]
    return [
        {**records[1], "latitudewgs84": "", "longitudewgs84": "", "id_point_apport_ou_reparation": "BAD-COORD"},
        {**records[2], "latitudewgs84": 40.7, "longitudewgs84": -74.0, "id_point_apport_ou_reparation": "BAD-NYC"},
        {**records[3], "siret": "12345678901234", "id_point_apport_ou_reparation": "BAD-SIRET"},
        {**records[4], "produitsdechets_acceptes": "Objets introuvables", "id_point_apport_ou_reparation": "BAD-PROD"},
        dict(base),  # the same identifier again
    ]


def eo_schema() -> list[dict]:
    sample = eo_records("refashion", 1)[0]
    return [{"key": k, "type": "string", "x-calculated": k.startswith("_")} for k in sample]


# --- CMA, pharmacies, SINOE, S3 -----------------------------------------------------------------

CMA_CATEGORIES = ["Chaussures, maroquinerie", "Electroménager", "Téléphones, smartphones", "Vêtements, textiles",
                  "Bijoux, montre, horlogerie", "Instruments de musique"]


def cma_records(n: int, *, seed: int = 42) -> list[dict]:
    rng = random.Random(f"{seed}-cma")
    adresses = ban_adresses()
    out = []
    for i in range(n):
        numero, voie, cp, ville, lon, lat = adresses[rng.randrange(len(adresses))]
        cats = rng.sample(CMA_CATEGORIES, rng.randint(1, 2))
        out.append({
            "id": f"CMA-{i:07d}", "nom": f"  {rng.choice(['Cordonnerie', 'Atelier', 'Horlogerie', 'Réparation'])} "
                                         f"{rng.choice(QUALIFS)} ", "adresse": f"{numero} {voie}", "adresse_2": "",
            "code_postal": cp, "ville": ville, "telephone": _telephone(rng)[1:], "email": f"artisan{i}@exemple.fr",
            "website": "", "facebook": f"facebook.com/artisan{i}", "instagram": "", "linkedin": "",
            "siret": siret(rng), "nafa": "9523ZZ", "naf": "95.23Z", "libelle_naf": "Réparation",
            "horaires": "Du mardi au samedi 9h-12h / 14h-19h", "description": "Réparation et entretien",
            "categories": cats, "categorie": cats[0], "categorie_2": "", "categorie_3": "", "activite": "Réparation",
            "activites_detaillees": "", "ban_latitude": str(lat), "ban_longitude": str(lon),
            "final_latitude": str(lat), "final_longitude": str(lon), "cma_code": "CMA75", "code_departement": "75",
            "code_region": "11", "cog": "75056", "date_creation_entreprise": "2015-03-01", "departement": "Paris",
            "region": "Île-de-France", "eco_maison": "", "effectif": "1", "geocode": "housenumber",
            "logo_file": "", "nom_gerant": "", "rgpd": "", "techloadts": "2026-05-01T00:00:00",
            "techprocessid": "42", "techsource": "reparacteur",
        })
    for i, c in copies_partagees("cma", n, seed=seed).items():
        out[i].update({"nom": c["nom"], "siret": c["siret"], "adresse": c["adresse"], "code_postal": c["cp"],
                       "ville": c["ville"], "ban_latitude": str(c["lat"]), "ban_longitude": str(c["lon"]),
                       "final_latitude": str(c["lat"]), "final_longitude": str(c["lon"])})
    return out


PHARMACIES_HEADER = ["Numéro d'établissement", "Raison sociale", "Dénomination commerciale", "Adresse", "Code postal",
                     "Commune", "Téléphone", "Fax", "Région", "Département", "Type établissement"]


def pharmacies_zip(n: int, *, seed: int = 42, encoding: str = "utf-16") -> bytes:
    """The annuaire zip: a `;` CSV of establishments in UTF-16 (with BOM), as the Ordre publishes it."""
    import zipfile

    rng = random.Random(f"{seed}-pharmacies")
    adresses = ban_adresses()
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    writer.writerow(PHARMACIES_HEADER)
    for i in range(n):
        numero, voie, cp, ville, lon, lat = adresses[rng.randrange(len(adresses))]
        writer.writerow([f"{7500000 + i}", f"SELARL PHARMACIE {rng.choice(QUALIFS).upper()}",
                         f"Pharmacie {rng.choice(QUALIFS)}", f"{numero} {voie}", cp, "PARIS", _telephone(rng), "",
                         "Île-de-France", "Paris", "Officine"])
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("LISEZMOI.txt", "Annuaire des établissements (données générées)")
        z.writestr("annuaire_etablissements.csv", buf.getvalue().encode(encoding))
    return out.getvalue()


@lru_cache(maxsize=1)
def ban_index() -> dict[str, tuple[float, float]]:
    """`<numéro> <voie> <code postal>` (lower case) → (lon, lat)."""
    return {f"{numero} {voie} {cp}".lower(): (lon, lat) for numero, voie, cp, _, lon, lat in ban_adresses()}


SINOE_NOMENCLATURE = [
    {"C_TYP_DECHET": "01.1", "L_TYP_DECHET": "Solvants usés", "NIV_HIER": 2},
    {"C_TYP_DECHET": "07.25", "L_TYP_DECHET": "Papiers cartons mêlés triés", "NIV_HIER": 3},
    {"C_TYP_DECHET": "07.6", "L_TYP_DECHET": "Déchets textiles", "NIV_HIER": 2},
    {"C_TYP_DECHET": "01.22", "L_TYP_DECHET": "Déchets alcalins", "NIV_HIER": 3},
    {"C_TYP_DECHET": "NP", "L_TYP_DECHET": "Non précisé", "NIV_HIER": 1},
]


def sinoe_records(n: int, *, seed: int = 42, annees=(2024, 2025)) -> list[dict]:
    rng = random.Random(f"{seed}-sinoe")
    adresses = ban_adresses()
    out = []
    for annee in annees:
        for i in range(n):
            numero, voie, cp, ville, lon, lat = adresses[rng.randrange(len(adresses))]
            out.append({
                "_i": len(out) + 1, "_id": f"sinoe{annee}_{i:06d}", "_rand": rng.randrange(10**6), "_score": None,
                "_geopoint": f"{lat},{lon}", "ANNEE": annee, "C_SERVICE": f"{90000 + i}",
                "N_SERVICE": f"Déchèterie {rng.choice(QUALIFS)}", "AD1_SITE": f"{numero} {voie}", "AD2_SITE": "",
                "CP_SITE": cp, "L_VILLE_SITE": ville.upper(), "TEL_SERVICE": _telephone(rng), "FAX_SERVICE": "",
                "LST_TYPE_DECHET": "|".join(rng.sample(["07.25", "07.6", "01.1", "01.22", "NP"], 3)),
                "ORIGINE_DECHET_ACC": rng.choice(["DMA", "DMA/PRO", "PRO"]),
                "C_ACTEUR": "999", "N_ACTEUR": "SYCTOM", "AD1_ACTEUR": "", "AD2_ACTEUR": "", "CP_ACTEUR": "75013",
                "L_VILLE_ACTEUR": "PARIS", "TEL_ACTEUR": "", "FAX_ACTEUR": "", "C_TYP_ACTEUR": "3",
                "L_TYP_ACTEUR": "Syndicat", "C_COMM": "75056", "C_DEPT": "75", "N_DEPT": "Paris", "C_REGION": "11",
                "L_REGION": "Île-de-France", "D_OUV": "1998-01-01", "D_MODIF": "2025-06-30", "LOV_MO_GEST": "Régie",
                "GPS_X": "", "GPS_Y": "", "GPS_LAT": str(lat), "GPS_LONG": str(lon), "GPS_PRECISION": "",
                "GPS_QUALITY": "",
            })
    return out


S3_COLUMNS = ["identifiant_externe", "source_code", "nom", "nom_commercial", "nom_officiel", "acteur_type_code",
              "acteur_service_codes", "action_codes", "sous_categorie_codes", "label_codes", "adresse",
              "adresse_complement", "code_postal", "ville", "latitude", "longitude", "siret", "siren", "telephone",
              "url", "public_accueilli", "uniquement_sur_rdv", "exclusivite_de_reprisereparation", "reprise",
              "horaires_osm", "horaires_description", "description", "commentaires", "naf_principal", "statut"]


def s3_rows(source_code: str, n: int, *, seed: int = 42) -> list[dict]:
    rng = random.Random(f"{seed}-s3-{source_code}")
    adresses = ban_adresses()
    out = []
    for i in range(n):
        numero, voie, cp, ville, lon, lat = adresses[rng.randrange(len(adresses))]
        out.append({
            "identifiant_externe": f"EXT-{i:06d}", "source_code": source_code.upper(), "nom": f"Repair Café {rng.choice(QUALIFS)}",
            "nom_commercial": "", "nom_officiel": "", "acteur_type_code": "ess",
            "acteur_service_codes": "service_de_reparation|atelier_pour_reparer_soi_meme", "action_codes": "reparer",
            "sous_categorie_codes": "|".join(rng.sample(["vetement", "chaussures", "velo", "petit_electromenager"], 2)),
            "label_codes": "", "adresse": f"{numero} {voie}", "adresse_complement": "", "code_postal": cp,
            "ville": ville, "latitude": str(lat).replace(".", ","), "longitude": str(lon).replace(".", ","),
            "siret": "", "siren": "", "telephone": "", "url": "https://repaircafe-exemple.org",
            "public_accueilli": "Particuliers", "uniquement_sur_rdv": "non", "exclusivite_de_reprisereparation": "",
            "reprise": "", "horaires_osm": "Sa 10:00-12:00", "horaires_description": "", "description": "",
            "commentaires": "", "naf_principal": "", "statut": "ACTIF",
        })
    return out


def s3_xlsx(rows: list[dict]) -> bytes:
    """An Excel workbook (first sheet, header on row 1) of S3 rows."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(S3_COLUMNS)
    for row in rows:
        sheet.append([row[c] for c in S3_COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
