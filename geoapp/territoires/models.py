"""Administrative areas with their contours (EPSG:4326 geometry, MultiPolygon, always valid)."""

from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GistIndex
from django.db.models import Q


class Departement(models.Model):
    code = models.CharField(primary_key=True, max_length=3)
    nom = models.CharField(max_length=255)
    region = models.CharField(max_length=3, blank=True)
    geom = models.MultiPolygonField(srid=4326, null=True, spatial_index=False)

    class Meta:
        ordering = ["code"]
        verbose_name = "département"
        indexes = [GistIndex(fields=["geom"], name="departement_geom_gist")]
        constraints = [models.CheckConstraint(condition=Q(geom__isvalid=True), name="departement_geom_valid")]

    def __str__(self) -> str:
        return f"{self.nom} ({self.code})"


class Epci(models.Model):
    code = models.CharField("SIREN", primary_key=True, max_length=9)
    nom = models.CharField(max_length=255)
    type = models.CharField(max_length=16, blank=True)
    population = models.PositiveIntegerField(null=True)
    geom = models.MultiPolygonField(srid=4326, null=True, spatial_index=False)

    class Meta:
        ordering = ["nom"]
        verbose_name = "EPCI"
        verbose_name_plural = "EPCI"
        indexes = [GistIndex(fields=["geom"], name="epci_geom_gist")]
        constraints = [models.CheckConstraint(condition=Q(geom__isvalid=True), name="epci_geom_valid")]

    def __str__(self) -> str:
        return f"{self.nom} ({self.code})"


class Commune(models.Model):
    class Type(models.TextChoices):
        COMMUNE = "commune", "commune"
        ARRONDISSEMENT_MUNICIPAL = "arrondissement_municipal", "arrondissement municipal"

    code = models.CharField("code INSEE", primary_key=True, max_length=5)
    nom = models.CharField(max_length=255)
    type = models.CharField(max_length=32, choices=Type.choices, default=Type.COMMUNE)
    commune_parente = models.CharField(max_length=5, blank=True, help_text="Pour un arrondissement municipal")
    departement = models.CharField(max_length=3, blank=True)
    epci = models.ForeignKey(Epci, on_delete=models.SET_NULL, null=True, blank=True, related_name="communes")
    codes_postaux = ArrayField(models.CharField(max_length=5), default=list, blank=True)
    population = models.PositiveIntegerField(null=True, blank=True)
    geom = models.MultiPolygonField(srid=4326, null=True, spatial_index=False)

    class Meta:
        ordering = ["code"]
        indexes = [GistIndex(fields=["geom"], name="commune_geom_gist")]
        constraints = [models.CheckConstraint(condition=Q(geom__isvalid=True), name="commune_geom_valid")]

    def __str__(self) -> str:
        return f"{self.nom} ({self.code})"
