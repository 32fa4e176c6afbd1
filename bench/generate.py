"""A France-wide set of displayed acteurs placed by commune population (bundled referentials:
decoupage-administratif populations, commune centres and bounding boxes), written with COPY and
swapped in like the real computation; the tile clusters are rebuilt from it."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import connection, transaction

from geoapp.acteurs.displayed import displayed_cluster_refresh
from geoapp.acteurs.models import DisplayedActeur
from geoapp.common.databases import table_swap

GEO = Path(settings.DATA_DIR) / "geo"
ACTIONS = [("reparer", "reparer"), ("donner", "donner_echanger_rapporter"), ("trier", "trier"),
           ("louer", "emprunter_preter_louer"), ("acheter", "vendre_acheter"), ("echanger", "donner_echanger_rapporter")]
SOUS_CATEGORIES = ["ecran", "vetement", "meuble", "petit_electromenager", "livre", "velo", "smartphone_tablette_et_console"]
SOURCES = ["cmareparacteur", "refashion", "ecomaison", "sinoe", "ressourceries"]
TYPES = ["commerce", "artisan", "ess", "decheterie", "pav_public"]


def communes_weighted() -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """(codes, centres (n, 2), half-extents (n, 2), weights) of the communes with a population and
    a centre; Paris / Lyon / Marseille through their arrondissements."""
    pops = {c["code"]: c.get("population") or 0
            for c in json.loads((GEO / "decoupage-administratif-6.0.0" / "communes.json").read_text())
            if c.get("type") in ("commune-actuelle", "arrondissement-municipal")}
    centres = json.loads((GEO / "communes-centre-bbox-2025.json").read_text())
    codes = [c for c in centres if pops.get(c, 0) > 0]
    centre = np.array([centres[c]["center"] for c in codes], dtype=float)
    bbox = np.array([centres[c]["bbox"] for c in codes], dtype=float)
    half = np.stack([(bbox[:, 2] - bbox[:, 0]) / 2, (bbox[:, 3] - bbox[:, 1]) / 2], axis=1)
    weights = np.array([pops[c] for c in codes], dtype=float)
    return codes, centre, half, weights / weights.sum()


def _array(values) -> str:
    return "{" + ",".join(values) + "}"


def bench_acteurs_generate(*, n: int = 500_000, seed: int = 42) -> int:
    rng = np.random.default_rng(seed)
    codes, centre, half, weights = communes_weighted()
    chosen = rng.choice(len(codes), size=n, p=weights)
    # around the centre, within the commune's bounding box
    offset = np.clip(rng.normal(0, 0.35, size=(n, 2)), -1, 1) * half[chosen]
    lonlat = centre[chosen] + offset
    n_actions = rng.integers(1, 3, size=n)
    buf = io.StringIO()
    for i in range(n):
        picks = rng.choice(len(ACTIONS), size=n_actions[i], replace=False)
        actions = sorted(ACTIONS[j][0] for j in picks)
        groupes = sorted({ACTIONS[j][1] for j in picks})
        sc = SOUS_CATEGORIES[i % len(SOUS_CATEGORIES)]
        props = json.dumps([{"action": a, "sous_categories": [sc]} for a in actions])
        code = codes[chosen[i]]
        buf.write("\t".join([
            f"bench_{i}", f"bench-{i:07d}", f"Lieu {i}", code, f"SRID=4326;POINT({lonlat[i, 0]:.6f} {lonlat[i, 1]:.6f})",
            TYPES[i % len(TYPES)], _array(actions), _array(groupes), _array([sc]),
            _array([SOURCES[i % len(SOURCES)]]), _array(["qualirepar"] if i % 7 == 0 else []),
            props.replace("\\", "\\\\"),
        ]) + "\n")
    buf.seek(0)
    columns = ["identifiant_unique", "uuid", "nom", "code_commune_insee", "location", "acteur_type", "actions",
               "groupes_actions", "sous_categories", "sources", "labels", "propositions"]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_staging")
        cursor.execute("""CREATE UNLOGGED TABLE bench_staging (identifiant_unique text, uuid text, nom text,
            code_commune_insee text, location geography(Point, 4326), acteur_type text, actions varchar[],
            groupes_actions varchar[], sous_categories varchar[], sources varchar[], labels varchar[], propositions jsonb)""")
        with cursor.connection.cursor().copy(f"COPY bench_staging ({', '.join(columns)}) FROM STDIN") as copy:
            while chunk := buf.read(1 << 20):
                copy.write(chunk)
    defaults = ("nom_commercial, nom_officiel, description, siren, siret, naf_principal, adresse, adresse_complement, "
                "code_postal, ville, url, email, telephone, horaires_osm, horaires_description, public_accueilli, "
                "reprise, lieu_prestation")
    EMPTY = "'{{}}'"  # an empty array / object once table_swap has formatted the statement
    empty = ", ".join("''" for _ in defaults.split(", "))
    inserted = table_swap(
        table=DisplayedActeur._meta.db_table,
        fill_sql=f"""INSERT INTO {{new}} ({', '.join(columns)}, {defaults}, statut, perimetre_departements,
                       acteur_services, provenance, enfants)
                     SELECT {', '.join(columns)}, {empty}, 'ACTIF', {EMPTY}, {EMPTY}, {EMPTY}::jsonb, {EMPTY}
                     FROM bench_staging""",
    )
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_staging")
    displayed_cluster_refresh()
    return inserted
