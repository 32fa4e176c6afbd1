from django.db import models


class TuileCache(models.Model):
    """The bytes of a vector tile as served, for one generation of the displayed acteurs (the
    published version and the swapped tile-cluster table: see `selectors.TUILE_GENERATION_SQL`).
    A row of another generation is never served; the rows of older generations are deleted when a
    new one is published (`services.tuile_cache_invalidate`). Only the tiles worth sharing are kept
    (`services.tuile_partageable`: unfiltered, zooms computed ahead, not empty). UNLOGGED (migration 0001): a cache, no WAL."""

    cle = models.TextField(primary_key=True, help_text="z/x/y?filtres normalisés")
    generation = models.CharField(max_length=64)
    tuile = models.BinaryField()

    class Meta:
        verbose_name = "tuile en cache"
        verbose_name_plural = "tuiles en cache"
