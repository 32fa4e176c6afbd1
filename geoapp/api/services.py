"""Writes of the public API: its tile cache (see `models.TuileCache`)."""

from __future__ import annotations

from django.db import connection

from .filters import ActeurRecherche
from .models import TuileCache
from .selectors import (TUILES_MEMOIRE, acteur_tuile, tuile_cache_cle, tuile_generation, tuile_generation_oublier,
                        tuile_partagee, tuiles_avec_groupes)

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
