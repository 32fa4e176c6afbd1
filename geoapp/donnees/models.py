"""The registry of the open-data exports: one row per export day and format, what the S3 bucket
holds (its dated copy and the `latest` one) and what `/donnees/` lists."""

from django.db import models


class FormatExport(models.TextChoices):
    CSV = "csv", "CSV"
    GEOJSON = "geojson", "GeoJSON"
    PARQUET = "parquet", "GeoParquet"


class ExportDonnees(models.Model):
    jour = models.DateField(help_text="jour de l'export (sa version datée)")
    format = models.CharField(max_length=16, choices=FormatExport.choices)
    cle = models.CharField("clé S3 de la version datée", max_length=512)
    cle_latest = models.CharField("clé S3 de la copie latest", max_length=512)
    taille = models.BigIntegerField("taille (octets)")
    lignes = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    version_schema = models.CharField(max_length=32)
    cree_le = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "export de données ouvertes"
        verbose_name_plural = "exports de données ouvertes"
        ordering = ["-jour", "format"]
        constraints = [models.UniqueConstraint(fields=["jour", "format"], name="export_jour_format_uniq")]

    def __str__(self) -> str:
        return f"{self.jour} {self.format} ({self.lignes} lignes)"
