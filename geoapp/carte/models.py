"""Saved map configurations: what a partner embeds with `/carte/<slug>/` (iframe or script tag).
Edited in the back office."""

from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator, URLValidator

COULEUR_MOTIF = r"^#[0-9A-Fa-f]{6}$"


class CarteConfiguration(models.Model):
    class Vue(models.TextChoices):
        CARTE = "carte", "carte"
        LISTE = "liste", "liste"

    slug = models.SlugField(unique=True, max_length=100)
    titre = models.CharField(max_length=255)
    groupes_actions = ArrayField(models.CharField(max_length=100), default=list, blank=True,
                                 help_text="groupes d'actions présélectionnés (vide : tous)")
    actions = ArrayField(models.CharField(max_length=100), default=list, blank=True)
    sous_categories = ArrayField(models.CharField(max_length=100), default=list, blank=True)
    labels = ArrayField(models.CharField(max_length=100), default=list, blank=True)
    sources = ArrayField(models.CharField(max_length=100), default=list, blank=True)
    bonus_reparation = models.BooleanField(default=False)
    bbox = models.PolygonField(srid=4326, null=True, blank=True, help_text="emprise affichée au départ")
    centre = models.PointField(srid=4326, null=True, blank=True, help_text="point de recherche par défaut")
    vue = models.CharField(max_length=8, choices=Vue.choices, default=Vue.CARTE)
    nombre_resultats = models.PositiveSmallIntegerField(default=100, validators=[MinValueValidator(1),
                                                                                  MaxValueValidator(100)])
    # the legend and the partner's branding (text only: the partner's name is never markup)
    legende = models.BooleanField("afficher la légende", default=True,
                                  help_text="la couleur des lieux selon ce qu'on peut y faire")
    filtres_visibles = models.BooleanField("filtres modifiables", default=True,
                                           help_text="décoché : les visiteurs gardent les filtres choisis ici")
    couleur = models.CharField("couleur principale", max_length=7, blank=True,
                               validators=[RegexValidator(COULEUR_MOTIF, "une couleur #RRVVBB, ex. #000091")],
                               help_text="boutons et titre, ex. #000091 (vide : celle du site)")
    partenaire_nom = models.CharField("nom du partenaire", max_length=120, blank=True,
                                      help_text="affiché « Carte proposée par … »")
    partenaire_url = models.URLField("site du partenaire", max_length=500, blank=True,
                                     validators=[URLValidator(schemes=["https"])], help_text="https:// seulement")
    modifie_le = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "configuration de carte"
        verbose_name_plural = "configurations de carte"
        constraints = [
            models.CheckConstraint(condition=models.Q(nombre_resultats__gte=1, nombre_resultats__lte=100),
                                   name="carte_configuration_nombre_resultats"),
            models.CheckConstraint(condition=models.Q(couleur="") | models.Q(couleur__regex=COULEUR_MOTIF),
                                   name="carte_configuration_couleur"),
            models.CheckConstraint(condition=models.Q(partenaire_url="") | models.Q(partenaire_url__startswith="https://"),
                                   name="carte_configuration_partenaire_https"),
        ]

    def __str__(self) -> str:
        return f"{self.titre} ({self.slug})"

    def apparence(self) -> dict:
        """The legend and the branding of the embedded map."""
        return {"legende": self.legende, "filtres_visibles": self.filtres_visibles, "couleur": self.couleur,
                "partenaire_nom": self.partenaire_nom, "partenaire_url": self.partenaire_url}

    def parametres(self) -> dict:
        """The preset search, in the URL parameters of the map and the API."""
        p = {k: ",".join(v) for k, v in (("groupe_action", self.groupes_actions), ("action", self.actions),
                                         ("sous_categorie", self.sous_categories), ("label", self.labels),
                                         ("source", self.sources)) if v}
        if self.bonus_reparation:
            p["bonus_reparation"] = "true"
        if self.bbox:
            p["bbox"] = ",".join(f"{v:.6f}" for v in self.bbox.extent)
        if self.centre:
            p["near"] = f"{self.centre.x:.6f},{self.centre.y:.6f}"
        p["vue"] = self.vue
        p["limit"] = str(self.nombre_resultats)
        return p


class Contribution(models.Model):
    """A citizen's correction of an acteur or proposed place, sent from the map. What it proposes
    is a suggestion of the source `contribution` (`groupe`), reviewed by staff like the others; the
    contributor's optional e-mail is kept here, apart from it, for staff only: never published
    (neither the API nor the map reads this table)."""

    groupe = models.OneToOneField("suggestions.GroupeSuggestion", on_delete=models.CASCADE,
                                  related_name="contribution")
    email = models.EmailField(blank=True, help_text="facultative, pour répondre au contributeur ; jamais publiée")
    cree_le = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "contribution d'un citoyen"
        verbose_name_plural = "contributions des citoyens"

    def __str__(self) -> str:
        return f"contribution {self.pk} ({self.groupe.identifiant_unique})"
