"""Geocoding results per acteur (web app), and the cloned BAN (warehouse, read-only, unmanaged)."""

from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GistIndex
from django.db.models import Q


class GeocodageActeur(models.Model):
    """The last geocoding of an acteur's address: which backend answered what, how sure it was.
    Under the score threshold the acteur gets no precise location and is flagged for review."""

    class Backend(models.TextChoices):
        HORS_LIGNE = "hors_ligne", "BAN clonée (hors ligne)"
        BAN_API = "ban_api", "API BAN / addok"

    acteur = models.OneToOneField("acteurs.Acteur", on_delete=models.CASCADE, primary_key=True,
                                  related_name="geocodage")
    adresse = models.CharField("adresse géocodée", max_length=512)
    backend = models.CharField(max_length=16, choices=Backend.choices)
    score = models.FloatField(null=True, blank=True)
    ban_id = models.CharField("identifiant BAN", max_length=64, blank=True)
    type_resultat = models.CharField(max_length=16, blank=True)  # housenumber | street | municipality | ...
    label = models.CharField(max_length=512, blank=True)
    location = models.PointField(geography=True, srid=4326, null=True, blank=True, spatial_index=False)
    signale = models.BooleanField("à vérifier", default=False, help_text="Aucun résultat ou score sous le seuil")
    geocode_le = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "géocodage d'acteur"
        verbose_name_plural = "géocodages d'acteurs"
        indexes = [
            GistIndex(fields=["location"], name="geocodage_location_gist"),
            models.Index(fields=["signale"], name="geocodage_signale_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=1),
                                   name="geocodage_score_0_1"),
            models.CheckConstraint(condition=Q(signale=True) | Q(location__isnull=False),
                                   name="geocodage_sans_position_signale"),
        ]

    def __str__(self) -> str:
        return f"{self.acteur_id}: {self.label or '—'} ({self.score})"


class AdresseBan(models.Model):
    """An address of the cloned BAN (view `reference.ban` of the warehouse). Read-only."""

    warehouse = True  # routed to the read-only `warehouse` alias (routers.py)

    id = models.CharField(primary_key=True, max_length=64)
    numero = models.IntegerField(null=True)
    rep = models.CharField(max_length=16, null=True)
    nom_voie = models.CharField(max_length=255)
    code_postal = models.CharField(max_length=5)
    code_insee = models.CharField(max_length=5)
    nom_commune = models.CharField(max_length=255)
    lon = models.FloatField()
    lat = models.FloatField()

    class Meta:
        managed = False
        db_table = "ban"  # search_path of the alias: reference, public
        verbose_name = "adresse BAN"
