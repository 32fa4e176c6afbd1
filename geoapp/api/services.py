"""Writes of the public API: its tile cache (see `models.TuileCache`)."""

from __future__ import annotations

from django.db import connection

from .filters import ActeurRecherche
from .models import TuileCache
from .selectors import (TILE_MEMORY, acteur_tile, tile_cache_key, tile_generation, tile_generation_forget,
                        tiles_with_groups)

# At publication, the unfiltered tiles of zooms 0..8 holding acteurs are computed ahead (a few
# hundred for France, overseas included): the low zooms, whose tiles cover the most acteurs.
TILE_PRECOMPUTE_MAX_ZOOM = 8


def tuile_cache_store(*, cle: str, generation: str, tuile: bytes, partagee: bool = True) -> None:
    """In this process's memory, and (`partagee`) in the table shared by the web processes."""
    if partagee:
        with connection.cursor() as cursor:
            cursor.execute(
                f"""INSERT INTO {TuileCache._meta.db_table} (cle, generation, tuile) VALUES (%s, %s, %s)
                    ON CONFLICT (cle) DO UPDATE SET generation = EXCLUDED.generation, tuile = EXCLUDED.tuile""",
                [cle, generation, tuile])
    TILE_MEMORY.put((generation, cle), tuile)


def tuile_cache_renew(*, z_max: int = TILE_PRECOMPUTE_MAX_ZOOM) -> int:
    """After a publication: drop the tiles of older generations, compute the unfiltered tiles of
    zooms 0..z_max ahead. Returns the number of tiles computed."""
    tile_generation_forget()
    generation = tile_generation()
    TuileCache.objects.exclude(generation=generation).delete()
    recherche = ActeurRecherche()
    tiles = tiles_with_groups(z_max=z_max)
    for z, x, y in tiles:
        tuile_cache_store(cle=tile_cache_key(z=z, x=x, y=y, recherche=recherche), generation=generation,
                          tuile=acteur_tile(z=z, x=x, y=y, recherche=recherche))
    return len(tiles)
