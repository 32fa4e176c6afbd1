"""What the source flows propose and what they did: a registry of runs per source, the apply
policy of each source, and suggestions (cohort per run and kind → group per acteur → field-level
changes). Nothing a source sends changes an acteur directly: an applied suggestion does."""

from django.contrib.postgres.fields import ArrayField
from django.db import models

from geoapp.acteurs.models import Source


class PolitiqueApplication(models.TextChoices):
    REVIEW = "review", "validation par l'équipe"
    AUTO = "auto", "application automatique"


class PolitiqueSource(models.Model):
    """How the suggestions of a source are applied. A source without a row is `review`."""

    source = models.OneToOneField(Source, primary_key=True, on_delete=models.CASCADE, related_name="politique")
    politique = models.CharField(max_length=16, choices=PolitiqueApplication.choices,
                                 default=PolitiqueApplication.REVIEW)

    class Meta:
        verbose_name = "politique d'application d'une source"
        verbose_name_plural = "politiques d'application des sources"

    def __str__(self) -> str:
        return f"{self.source_id}: {self.politique}"


class StatutExecution(models.TextChoices):
    EN_COURS = "en_cours", "en cours"
    REUSSIE = "reussie", "réussie"
    ECHOUEE = "echouee", "échouée"
    INTERROMPUE = "interrompue", "interrompue"  # its process died (killed) before it could finish
    REFUSEE = "refusee", "refusée"  # another run of its flux was alive: it did nothing


class ExecutionSource(models.Model):
    """One run of a source flow: its status, its counts per outcome and when it finished."""

    run_id = models.CharField(max_length=64, unique=True)
    flux = models.CharField(max_length=100, help_text="clé de la source dans la configuration des flux")
    sources = ArrayField(models.CharField(max_length=100), default=list, help_text="codes des sources concernées")
    statut = models.CharField(max_length=16, choices=StatutExecution.choices, default=StatutExecution.EN_COURS)
    compteurs = models.JSONField(default=dict)
    message = models.TextField(blank=True)
    debut = models.DateTimeField(auto_now_add=True)
    fin = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "exécution d'une source"
        verbose_name_plural = "exécutions des sources"
        ordering = ["-debut"]
        indexes = [models.Index(fields=["flux", "statut", "fin"], name="execution_flux_statut_idx")]

    def __str__(self) -> str:
        return f"{self.flux} {self.run_id} ({self.statut})"


class TypeSuggestion(models.TextChoices):
    AJOUT = "ajout", "ajout"
    MODIFICATION = "modification", "modification"
    SUPPRESSION = "suppression", "suppression"
    REGROUPEMENT = "regroupement", "regroupement"  # duplicates under one parent (flow dedoublonnage)


class StatutSuggestion(models.TextChoices):
    A_VALIDER = "a_valider", "à valider"
    VALIDEE = "validee", "validée"
    REJETEE = "rejetee", "rejetée"
    APPLIQUEE = "appliquee", "appliquée"
    ERREUR = "erreur", "erreur"


class CohorteSuggestion(models.Model):
    """The suggestions of one run and one kind."""

    execution = models.ForeignKey(ExecutionSource, on_delete=models.CASCADE, related_name="cohortes")
    type = models.CharField(max_length=16, choices=TypeSuggestion.choices)
    cree_le = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "cohorte de suggestions"
        verbose_name_plural = "cohortes de suggestions"
        constraints = [models.UniqueConstraint(fields=["execution", "type"], name="cohorte_execution_type_uniq")]

    def __str__(self) -> str:
        return f"{self.execution.flux} – {self.get_type_display()} ({self.execution.run_id})"


class GroupeSuggestion(models.Model):
    """The changes proposed for one acteur. `donnees` is the full normalised row (an ajout creates
    the acteur from it); `empreinte` identifies the proposal so that a run never proposes again
    what is already waiting."""

    # no index of their own: `groupe_cohorte_acteur_uniq` and `groupe_source_statut_idx` start with
    # them, and every index costs the writing and the applying of suggestions
    cohorte = models.ForeignKey(CohorteSuggestion, on_delete=models.CASCADE, related_name="groupes", db_index=False)
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="+", db_index=False)
    identifiant_unique = models.CharField(max_length=255)
    statut = models.CharField(max_length=16, choices=StatutSuggestion.choices, default=StatutSuggestion.A_VALIDER)
    donnees = models.JSONField(default=dict)
    empreinte = models.CharField(max_length=64)
    message = models.TextField(blank=True)
    modifie_le = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "suggestion (groupe par acteur)"
        verbose_name_plural = "suggestions (groupes par acteur)"
        # the back office's actions, each offered only to staff holding its permission
        permissions = [
            ("valider_groupesuggestion", "Peut valider ou rejeter des suggestions"),
            ("appliquer_groupesuggestion", "Peut appliquer les suggestions validées"),
        ]
        indexes = [
            models.Index(fields=["source", "statut"], name="groupe_source_statut_idx"),
            models.Index(fields=["empreinte"], name="groupe_empreinte_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["cohorte", "identifiant_unique"], name="groupe_cohorte_acteur_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.identifiant_unique} ({self.statut})"


class ChangementSuggestion(models.Model):
    """One field of one acteur: its value now and the value proposed (JSON)."""

    # no index of its own: `changement_groupe_champ_uniq` starts with it
    groupe = models.ForeignKey(GroupeSuggestion, on_delete=models.CASCADE, related_name="changements", db_index=False)
    champ = models.CharField(max_length=100)
    ancienne_valeur = models.JSONField(null=True)
    nouvelle_valeur = models.JSONField(null=True)

    class Meta:
        verbose_name = "changement proposé"
        verbose_name_plural = "changements proposés"
        constraints = [models.UniqueConstraint(fields=["groupe", "champ"], name="changement_groupe_champ_uniq")]


class ApplicationSuggestions(models.Model):
    """One apply of the validated suggestions, asked from the back office and run as a Prefect flow
    run (`suggestions-appliquer`) outside the web request: its flow run, hence its state, and its counts."""

    sources = ArrayField(models.CharField(max_length=100), default=list, help_text="codes des sources à appliquer")
    demandee_par = models.CharField(max_length=150, blank=True)
    demandee_le = models.DateTimeField(auto_now_add=True)
    flow_run_id = models.UUIDField(null=True, blank=True, help_text="l'exécution Prefect qui applique")
    compteurs = models.JSONField(default=dict, blank=True)
    fin = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "application des suggestions"
        verbose_name_plural = "applications des suggestions"
        ordering = ["-demandee_le"]

    def __str__(self) -> str:
        return f"application {self.pk} ({', '.join(self.sources)})"
