"""Statistics kept over time: one snapshot (relevé) per day, its figures as (indicator, key, value)
rows. The weekly run is complete (with the median distances to the nearest place per action);
the daily one leaves those of the day's complete run in place."""

from django.db import models


class Indicateur(models.TextChoices):
    ACTEURS = "acteurs", "acteurs affichés"
    PAR_SOURCE = "acteurs_par_source", "acteurs affichés par source"
    PAR_ACTION = "acteurs_par_action", "acteurs affichés par action"
    PAR_SOUS_CATEGORIE = "acteurs_par_sous_categorie", "acteurs affichés par sous-catégorie"
    PAR_TYPE = "acteurs_par_type", "acteurs affichés par type d'acteur"
    PAR_DEPARTEMENT = "acteurs_par_departement", "acteurs affichés par département"
    PART_SIRET = "part_siret", "part avec un SIRET"
    PART_GEOCODAGE_PRECIS = "part_geocodage_precis", "part géocodée précisément"
    PART_COORDONNEES_EMPILEES = "part_coordonnees_empilees", "part aux coordonnées empilées"
    DISTANCE_MEDIANE = "distance_mediane_m", "distance médiane au lieu le plus proche (m)"
    SUGGESTIONS_A_VALIDER = "suggestions_a_valider", "suggestions à valider"
    SUGGESTIONS_APPLIQUEES = "suggestions_appliquees", "suggestions appliquées"
    SUGGESTIONS_REJETEES = "suggestions_rejetees", "suggestions rejetées"
    RECHERCHES = "recherches", "recherches dans l'assistant (7 jours)"
    RECHERCHES_SANS_RESULTAT = "recherches_sans_resultat", "recherches sans résultat (7 jours)"


class ReleveStatistique(models.Model):
    jour = models.DateField(unique=True)
    complet = models.BooleanField(default=False, help_text="avec les distances médianes (relevé hebdomadaire)")
    cree_le = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "relevé statistique"
        verbose_name_plural = "relevés statistiques"
        ordering = ["-jour"]

    def __str__(self) -> str:
        return f"{self.jour}{' (complet)' if self.complet else ''}"


class ValeurStatistique(models.Model):
    releve = models.ForeignKey(ReleveStatistique, on_delete=models.CASCADE, related_name="valeurs", db_index=False)
    indicateur = models.CharField(max_length=64, choices=Indicateur.choices)
    cle = models.CharField(max_length=100, blank=True, help_text="source, action, département… (vide : total)")
    valeur = models.FloatField()

    class Meta:
        verbose_name = "valeur statistique"
        verbose_name_plural = "valeurs statistiques"
        constraints = [models.UniqueConstraint(fields=["releve", "indicateur", "cle"], name="valeur_releve_indicateur_cle_uniq")]
        indexes = [models.Index(fields=["indicateur", "cle"], name="valeur_indicateur_cle_idx")]

    def __str__(self) -> str:
        return f"{self.indicateur}[{self.cle}] = {self.valeur}"
