"""Writes of the public API: its tile cache (see `models.TuileCache`) and the tiles' PMTiles archive
on object storage (`stockage`)."""

from __future__ import annotations

import gzip
import tempfile
from pathlib import Path

from django.db import connection

from .filters import ActeurRecherche
from .models import TuileCache
from .selectors import (TUILES_MEMOIRE, acteur_tuile, tuile_cache_cle, tuile_en_cache, tuile_generation, tuile_generation_oublier,
                        tuile_partagee, tuiles_archive_list, tuiles_avec_groupes)

# After a publication, the unfiltered tiles of zooms 0..8 holding acteurs are computed ahead (a few
# hundred for France, overseas included: ~6 s at 500,000 acteurs) by their own step, a task of the
# displayed-acteurs flow (`flows/tuiles.py`): the low zooms, whose tiles cover the most acteurs.
TUILE_PRECALCUL_ZOOM_MAX = 8


def tuile_partageable(*, z: int, recherche: ActeurRecherche, tuile: bytes) -> bool:
    """Whether a tile is worth a row of the table shared by the web processes: unfiltered, drawn
    from the precomputed groups (`selectors.tuile_partagee`), not empty. That table then holds at
    most one tile per tile holding groups (z0–8 are computed ahead, z9–12 on their first request),
    whatever anonymous clients ask for; any other tile (filtered, `near` any point, a high zoom, the
    empty sea) is kept in the process's bounded memory only (`TuilesMemoire`)."""
    return tuile_partagee(z=z, recherche=recherche) and bool(tuile)


def tuile_cache_store(*, cle: str, generation: str, tuile: bytes, partagee: bool = True) -> None:
    """In this process's memory, and (`partagee`: see `tuile_partageable`) in the table shared by
    the web processes."""
    if partagee:
        with connection.cursor() as cursor:
            cursor.execute(
                f"""INSERT INTO {TuileCache._meta.db_table} (cle, generation, tuile) VALUES (%s, %s, %s)
                    ON CONFLICT (cle) DO UPDATE SET generation = EXCLUDED.generation, tuile = EXCLUDED.tuile""",
                [cle, generation, tuile])
    TUILES_MEMOIRE.put((generation, cle), tuile)


def tuile_cache_invalidate() -> None:
    """After a publication (the `displayed_published` signal): this process forgets the generation
    and its tiles, the shared table drops the tiles of older generations. Cheap: the tiles are
    computed ahead by their own step (`tuile_cache_precompute`), or on a map's first request."""
    tuile_generation_oublier()
    TuileCache.objects.exclude(generation=tuile_generation()).delete()


def tuile_cache_precompute(*, z_max: int = TUILE_PRECALCUL_ZOOM_MAX) -> dict[str, int]:
    """Compute ahead the unfiltered tiles of zooms 0..z_max holding acteurs, for the current
    generation, into the shared cache: those not cached yet (run twice, the second computes none).
    Returns {"tuiles": tiles of zooms 0..z_max holding acteurs, "calculees": tiles computed now}."""
    tuile_generation_oublier()
    generation = tuile_generation()
    TuileCache.objects.exclude(generation=generation).delete()
    cached = set(TuileCache.objects.filter(generation=generation).values_list("cle", flat=True))
    recherche = ActeurRecherche()
    tiles = tuiles_avec_groupes(z_max=z_max)
    computed = 0
    for z, x, y in tiles:
        cle = tuile_cache_cle(z=z, x=x, y=y, recherche=recherche)
        if cle in cached:
            continue
        tuile_cache_store(cle=cle, generation=generation, tuile=acteur_tuile(z=z, x=x, y=y, recherche=recherche))
        computed += 1
    return {"tuiles": len(tiles), "calculees": computed}


def tuile_archive_ecrire(*, chemin: Path, z_max: int = TUILE_PRECALCUL_ZOOM_MAX) -> dict:
    """Writes into `chemin` the PMTiles archive (v3, pmtiles' writer) of the unfiltered tiles of
    zooms 0..z_max that are not empty, the same bytes the API serves (taken from the tile cache of
    the current generation when there, else computed), each gzipped (as PMTiles readers expect of
    vector tiles). The metadata name the generation, the layer and the zooms. Returns
    {"generation", "tuiles", "octets"}."""
    from pmtiles.tile import Compression, TileType, zxy_to_tileid
    from pmtiles.writer import Writer

    tuile_generation_oublier()
    generation = tuile_generation()
    recherche = ActeurRecherche()
    tiles = tuiles_archive_list(z_max=z_max)
    written = 0
    with open(chemin, "wb") as f:
        writer = Writer(f)
        for z, x, y in tiles:
            cle = tuile_cache_cle(z=z, x=x, y=y, recherche=recherche)
            _, tuile = tuile_en_cache(cle=cle)
            if tuile is None:
                tuile = acteur_tuile(z=z, x=x, y=y, recherche=recherche)
            if tuile:
                writer.write_tile(zxy_to_tileid(z, x, y), gzip.compress(tuile, mtime=0))
                written += 1
        if not written:  # no acteur at all: an archive still, holding one empty world tile
            writer.write_tile(zxy_to_tileid(0, 0, 0), gzip.compress(b"", mtime=0))
        writer.finalize({
            "tile_type": TileType.MVT, "tile_compression": Compression.GZIP,
            "min_lon_e7": -1800000000, "min_lat_e7": -850511287, "max_lon_e7": 1800000000, "max_lat_e7": 850511287,
            "center_zoom": 5, "center_lon_e7": 24000000, "center_lat_e7": 466000000,
        }, {
            "name": "acteurs", "format": "pbf", "generation": generation, "zoom_max": z_max,
            "vector_layers": [{"id": "acteurs", "minzoom": 0, "maxzoom": z_max,
                               "fields": {"nombre": "Number", "groupe_action": "String"}}],
        })
    return {"generation": generation, "tuiles": written, "octets": Path(chemin).stat().st_size}


def tuile_archive_publier(*, z_max: int = TUILE_PRECALCUL_ZOOM_MAX) -> dict:
    """The archive of the current generation into the tiles' bucket, unless the bucket already
    holds that generation's (run twice, or after a crash: the same object). Returns
    {"generation", "tuiles", "octets", "deposee"}."""
    from . import stockage

    tuile_generation_oublier()
    generation = tuile_generation()
    if stockage.archive_generation_get() == generation:
        return {"generation": generation, "tuiles": 0, "octets": 0, "deposee": False}
    with tempfile.TemporaryDirectory(prefix="tuiles-") as dossier:
        chemin = Path(dossier) / "acteurs.pmtiles"
        result = tuile_archive_ecrire(chemin=chemin, z_max=z_max)
        stockage.archive_deposer(chemin=chemin, generation=result["generation"])
    return result | {"deposee": True}
