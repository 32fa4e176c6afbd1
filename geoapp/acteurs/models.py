"""Referentials (stable codes shared with partners), imported acteurs, staff revisions and the
displayed read model computed from them."""

from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, GistIndex
from django.db.models import F, Func, Q, Value
from simple_history.models import HistoricalRecords


# --- Referentials: the code is the primary key, as partners use it ---------------------------


class CodeLibelle(models.Model):
    code = models.CharField(primary_key=True, max_length=100)
    libelle = models.CharField(max_length=255, blank=True)

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self) -> str:
        return self.libelle or self.code


class ActionDirection(CodeLibelle):
    order = models.PositiveIntegerField(default=0)

    class Meta(CodeLibelle.Meta):
        verbose_name = "direction d'action"


class GroupeAction(CodeLibelle):
    afficher = models.BooleanField(default=True)
    description = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)
    couleur = models.CharField(max_length=32, blank=True)
    couleur_claire = models.CharField(max_length=32, blank=True)
    fill = models.BooleanField(default=False)
    icon = models.CharField(max_length=64, blank=True)

    class Meta(CodeLibelle.Meta):
        verbose_name = "groupe d'actions"
        verbose_name_plural = "groupes d'actions"


class Action(CodeLibelle):
    libelle_groupe = models.CharField(max_length=255, blank=True)
    afficher = models.BooleanField(default=True)
    description = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)
    couleur = models.CharField(max_length=32, blank=True)
    icon = models.CharField(max_length=64, blank=True)
    groupe_action = models.ForeignKey(GroupeAction, on_delete=models.PROTECT, related_name="actions")
    directions = models.ManyToManyField(ActionDirection, related_name="actions", blank=True)


class CategorieObjet(CodeLibelle):
    class Meta(CodeLibelle.Meta):
        verbose_name = "catégorie d'objets"
        verbose_name_plural = "catégories d'objets"


class SousCategorieObjet(CodeLibelle):
    categorie = models.ForeignKey(CategorieObjet, on_delete=models.PROTECT, related_name="sous_categories")
    afficher = models.BooleanField(default=True)
    afficher_carte = models.BooleanField(default=True)
    reemploi_possible = models.BooleanField(default=True)

    class Meta(CodeLibelle.Meta):
        verbose_name = "sous-catégorie d'objets"
        verbose_name_plural = "sous-catégories d'objets"


class ActeurType(CodeLibelle):
    class Meta(CodeLibelle.Meta):
        verbose_name = "type d'acteur"
        verbose_name_plural = "types d'acteurs"


class ActeurService(CodeLibelle):
    actions = models.ManyToManyField(Action, related_name="acteur_services", blank=True)

    class Meta(CodeLibelle.Meta):
        verbose_name = "service d'acteur"
        verbose_name_plural = "services d'acteurs"


class LabelQualite(CodeLibelle):
    afficher = models.BooleanField(default=True)
    bonus = models.BooleanField(default=False, help_text="Ouvre droit au bonus réparation")
    type_enseigne = models.BooleanField(default=False)
    url = models.URLField(blank=True, max_length=500)
    order = models.IntegerField(default=0)

    class Meta(CodeLibelle.Meta):
        verbose_name = "label qualité"
        verbose_name_plural = "labels qualité"


class Source(CodeLibelle):
    class Licence(models.TextChoices):
        OPEN_LICENSE = "OPEN_LICENSE", "Licence ouverte"
        CC_BY_NC_SA = "CC_BY_NC_SA", "CC BY-NC-SA"
        NO_LICENSE = "NO_LICENSE", "Pas de licence"

    afficher = models.BooleanField(default=True)
    url = models.URLField(blank=True, max_length=500)
    licence = models.CharField(max_length=32, choices=Licence.choices, default=Licence.NO_LICENSE)


# --- Acteurs ----------------------------------------------------------------------------------


class ActeurStatut(models.TextChoices):
    ACTIF = "ACTIF", "actif"
    INACTIF = "INACTIF", "inactif"
    SUPPRIME = "SUPPRIME", "supprimé"


class PublicAccueilli(models.TextChoices):
    PARTICULIERS = "Particuliers", "Particuliers"
    PROFESSIONNELS = "Professionnels", "Professionnels"
    PARTICULIERS_ET_PROFESSIONNELS = "Particuliers et professionnels", "Particuliers et professionnels"
    AUCUN = "Aucun", "Aucun"


class Reprise(models.TextChoices):
    UN_POUR_ZERO = "1 pour 0", "1 pour 0"
    UN_POUR_UN = "1 pour 1", "1 pour 1"


class LieuPrestation(models.TextChoices):
    SUR_PLACE = "SUR_PLACE", "sur place"
    A_DOMICILE = "A_DOMICILE", "à domicile"
    SUR_PLACE_OU_A_DOMICILE = "SUR_PLACE_OU_A_DOMICILE", "sur place ou à domicile"


class ActeurFields(models.Model):
    """The fields an imported acteur and a revision share. On a revision every field is optional:
    a non-empty value overrides the imported one."""

    nom = models.CharField(max_length=255, blank=True)
    nom_commercial = models.CharField(max_length=255, blank=True)
    nom_officiel = models.CharField(max_length=255, blank=True)
    description = models.TextField(blank=True)
    acteur_type = models.ForeignKey(ActeurType, on_delete=models.PROTECT, null=True, blank=True)
    siren = models.CharField(max_length=9, blank=True)
    siret = models.CharField(max_length=14, blank=True)
    naf_principal = models.CharField(max_length=6, blank=True)
    adresse = models.CharField(max_length=255, blank=True)
    adresse_complement = models.CharField(max_length=255, blank=True)
    code_postal = models.CharField(max_length=5, blank=True)
    ville = models.CharField(max_length=255, blank=True)
    code_commune_insee = models.CharField(max_length=5, blank=True)
    location = models.PointField(geography=True, srid=4326, null=True, blank=True, spatial_index=False)
    url = models.URLField(max_length=2048, blank=True)
    email = models.EmailField(blank=True)
    telephone = models.CharField(max_length=255, blank=True)
    horaires_osm = models.CharField("horaires (syntaxe OSM)", max_length=1024, blank=True)
    horaires_description = models.TextField("horaires (texte libre)", blank=True)
    public_accueilli = models.CharField(max_length=64, choices=PublicAccueilli.choices, blank=True)
    reprise = models.CharField(max_length=16, choices=Reprise.choices, blank=True)
    exclusivite_de_reprisereparation = models.BooleanField(
        "exclusivité de réparation", null=True, blank=True, help_text="Vide : inconnu"
    )
    uniquement_sur_rdv = models.BooleanField("sur rendez-vous", null=True, blank=True, help_text="Vide : inconnu")
    lieu_prestation = models.CharField(max_length=32, choices=LieuPrestation.choices, blank=True)
    perimetre_rayon_km = models.FloatField("périmètre d'intervention (km)", null=True, blank=True)
    perimetre_departements = ArrayField(
        models.CharField(max_length=3), verbose_name="départements d'intervention", default=list, blank=True
    )
    perimetre_zone = models.MultiPolygonField(
        "zone d'intervention", geography=True, srid=4326, null=True, blank=True, spatial_index=False
    )
    statut = models.CharField(max_length=16, choices=ActeurStatut.choices, blank=True)
    commentaires = models.TextField(blank=True)
    labels = models.ManyToManyField(LabelQualite, blank=True, related_name="+")
    acteur_services = models.ManyToManyField(ActeurService, blank=True, related_name="+")
    cree_le = models.DateTimeField(auto_now_add=True)
    modifie_le = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.nom or self.pk} ({self.pk})"


class Acteur(ActeurFields):
    """An acteur as a source gives it. `identifiant_unique` = `<source code>_<identifiant_externe>`."""

    identifiant_unique = models.CharField(primary_key=True, max_length=255)
    uuid = models.CharField(max_length=64, unique=True, help_text="Identifiant public stable")
    identifiant_externe = models.CharField(max_length=255, blank=True)
    # no index of its own: `acteur_source_idext_idx` starts with it (see migration 0003)
    source = models.ForeignKey(Source, on_delete=models.PROTECT, null=True, blank=True, related_name="acteurs",
                               db_index=False)
    statut = models.CharField(max_length=16, choices=ActeurStatut.choices, default=ActeurStatut.ACTIF)

    class Meta:
        verbose_name = "acteur importé"
        verbose_name_plural = "acteurs importés"
        # Few indexes: the apply writes every imported acteur, and each index costs it. Nothing
        # queries imported acteurs by siret or by position (the displayed acteurs have those).
        indexes = [
            models.Index(fields=["source", "identifiant_externe"], name="acteur_source_idext_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "identifiant_externe"],
                condition=~Q(identifiant_externe=""),
                name="acteur_source_idext_uniq",
            ),
        ]


# The fields a revision can force empty (the displayed acteur then shows none, whatever its source
# or its children give). Not the name, the type nor the location: a displayed acteur needs them.
CHAMPS_VIDABLES = (
    "nom_commercial", "nom_officiel", "description", "siren", "siret", "naf_principal", "adresse",
    "adresse_complement", "code_postal", "ville", "code_commune_insee", "url", "email", "telephone",
    "horaires_osm", "horaires_description", "public_accueilli", "reprise", "lieu_prestation",
    "exclusivite_de_reprisereparation", "uniquement_sur_rdv", "perimetre_rayon_km", "perimetre_zone",
    "perimetre_departements",
)


class RevisionActeur(ActeurFields):
    """Staff corrections of an acteur, field by field; a revision without an imported acteur is an
    acteur created by staff (a parent of duplicates, for instance). `parent` merges duplicates:
    a child is displayed as its parent."""

    identifiant_unique = models.CharField(primary_key=True, max_length=255)
    uuid = models.CharField(max_length=64, unique=True, null=True, blank=True)
    parent = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="enfants",
        limit_choices_to={"parent__isnull": True},
    )
    champs_vides = ArrayField(
        models.CharField(max_length=64), verbose_name="champs forcés vides", default=list, blank=True,
        help_text="Affichés vides, même si la source (ou un enfant) leur donne une valeur.",
    )
    # every change made in the back office: who, when, each field before and after
    history = HistoricalRecords(excluded_fields=["modifie_le"])

    class Meta:
        verbose_name = "révision d'acteur"
        verbose_name_plural = "révisions d'acteurs"
        permissions = [("fusionner_revisionacteur", "Peut fusionner des acteurs en doublon (parent, enfants)")]
        indexes = [GistIndex(fields=["location"], name="revision_location_gist")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=models.F("identifiant_unique")), name="revision_parent_not_self"
            ),
            models.CheckConstraint(condition=Q(champs_vides__contained_by=list(CHAMPS_VIDABLES)),
                                   name="revision_champs_vides_connus"),
        ]


class PropositionFields(models.Model):
    """An action an acteur offers for some sous-catégories d'objets."""

    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="+")
    sous_categories = models.ManyToManyField(SousCategorieObjet, related_name="+")

    class Meta:
        abstract = True


class PropositionService(PropositionFields):
    acteur = models.ForeignKey(Acteur, on_delete=models.CASCADE, related_name="propositions")

    class Meta:
        verbose_name = "proposition de service"
        verbose_name_plural = "propositions de service"
        constraints = [models.UniqueConstraint(fields=["acteur", "action"], name="proposition_acteur_action_uniq")]


class RevisionPropositionService(PropositionFields):
    acteur = models.ForeignKey(RevisionActeur, on_delete=models.CASCADE, related_name="propositions")

    class Meta:
        verbose_name = "proposition de service (révision)"
        verbose_name_plural = "propositions de service (révision)"
        constraints = [
            models.UniqueConstraint(fields=["acteur", "action"], name="revision_proposition_acteur_action_uniq")
        ]


# --- Displayed acteurs: the read model --------------------------------------------------------


# The properties of a displayed acteur's GeoJSON Feature (the API's, the same as
# geoapp.api.serializers.ActeurSerializer's: a test checks it), in this order. Changing them needs
# a migration redefining the function `displayed_acteur_feature` (see 0004_displayedacteur_feature).
FEATURE_PROPERTIES = (
    "uuid", "nom", "nom_commercial", "adresse", "adresse_complement", "code_postal", "ville", "code_commune_insee",
    "acteur_type", "propositions", "actions", "groupes_actions", "labels", "sources", "horaires_osm",
    "horaires_description", "telephone", "url", "exclusivite_de_reprisereparation",
)
FEATURE_COORDINATE_DECIMALS = 6


class DisplayedActeur(models.Model):
    """What the map, the API and open data read. Computed set-wise in the warehouse from imported
    acteurs + revisions + parent merging (see `displayed.py`) and swapped in atomically: never
    written by hand. Codes are denormalised into arrays so that filters hit GIN indexes."""

    identifiant_unique = models.CharField(primary_key=True, max_length=255)
    uuid = models.CharField(max_length=64, unique=True)
    nom = models.CharField(max_length=255, blank=True)
    nom_commercial = models.CharField(max_length=255, blank=True)
    nom_officiel = models.CharField(max_length=255, blank=True)
    description = models.TextField(blank=True)
    acteur_type = models.CharField(max_length=100, blank=True)
    siren = models.CharField(max_length=9, blank=True)
    siret = models.CharField(max_length=14, blank=True)
    naf_principal = models.CharField(max_length=6, blank=True)
    adresse = models.CharField(max_length=255, blank=True)
    adresse_complement = models.CharField(max_length=255, blank=True)
    code_postal = models.CharField(max_length=5, blank=True)
    ville = models.CharField(max_length=255, blank=True)
    code_commune_insee = models.CharField(max_length=5, blank=True)
    location = models.PointField(geography=True, srid=4326, null=True, spatial_index=False)
    url = models.URLField(max_length=2048, blank=True)
    email = models.EmailField(blank=True)
    telephone = models.CharField(max_length=255, blank=True)
    horaires_osm = models.CharField(max_length=1024, blank=True)
    horaires_description = models.TextField(blank=True)
    public_accueilli = models.CharField(max_length=64, blank=True)
    reprise = models.CharField(max_length=16, blank=True)
    exclusivite_de_reprisereparation = models.BooleanField(null=True)
    uniquement_sur_rdv = models.BooleanField(null=True)
    lieu_prestation = models.CharField(max_length=32, blank=True)
    perimetre_rayon_km = models.FloatField(null=True)
    perimetre_departements = ArrayField(models.CharField(max_length=3), default=list)
    perimetre_zone = models.MultiPolygonField(geography=True, srid=4326, null=True, spatial_index=False)
    statut = models.CharField(max_length=16)
    labels = ArrayField(models.CharField(max_length=100), default=list)
    acteur_services = ArrayField(models.CharField(max_length=100), default=list)
    sources = ArrayField(models.CharField(max_length=100), default=list)
    actions = ArrayField(models.CharField(max_length=100), default=list)
    groupes_actions = ArrayField(models.CharField(max_length=100), default=list)
    sous_categories = ArrayField(models.CharField(max_length=100), default=list)
    propositions = models.JSONField(default=list, help_text='[{"action": code, "sous_categories": [codes]}]')
    provenance = models.JSONField(default=dict, help_text="champ → source:<code> ou revision:<identifiant>")
    enfants = ArrayField(models.CharField(max_length=255), default=list, help_text="acteurs fusionnés")
    modifie_le = models.DateTimeField(null=True)
    # The point in Web Mercator, kept by PostgreSQL itself (a stored generated column, so the
    # computation and the swap never write it), with its own GiST index: vector tiles and
    # contour filters compare it with 3857 envelopes without casting (a cast loses the index).
    location_3857 = models.GeneratedField(
        expression=Func(Func(F("location"), template="(%(expressions)s)::geometry"), Value(3857),
                        function="ST_Transform", output_field=models.PointField(srid=3857)),
        output_field=models.PointField(srid=3857, spatial_index=False),
        db_persist=True,
    )
    # The acteur as a GeoJSON Feature (text; geometry to 6 decimals, FEATURE_PROPERTIES), kept by
    # PostgreSQL itself like location_3857 (function `displayed_acteur_feature`, migration 0003):
    # a page of the API is a concatenation of these strings, no JSON built per request.
    feature = models.GeneratedField(
        expression=Func(F("location"), *(F(p) for p in FEATURE_PROPERTIES), function="displayed_acteur_feature",
                        output_field=models.TextField()),
        output_field=models.TextField(),
        db_persist=True,
    )

    class Meta:
        verbose_name = "acteur affiché"
        verbose_name_plural = "acteurs affichés"
        indexes = [
            GistIndex(fields=["location"], name="displayed_location_gist"),
            GinIndex(fields=["actions"], name="displayed_actions_gin"),
            GinIndex(fields=["sous_categories"], name="displayed_souscats_gin"),
            GinIndex(fields=["labels"], name="displayed_labels_gin"),
            GinIndex(fields=["sources"], name="displayed_sources_gin"),
            GinIndex(fields=["groupes_actions"], name="displayed_groupes_gin"),
            GistIndex(fields=["location_3857"], name="displayed_location3857_gist"),
            # the parents only: the incremental refresh finds a child's former parent by it
            GinIndex(fields=["enfants"], name="displayed_enfants_gin", condition=Q(enfants__len__gt=0)),
        ]

    def __str__(self) -> str:
        return f"{self.nom} ({self.identifiant_unique})"


CLUSTER_MAX_ZOOM = 12  # vector tiles draw precomputed groups up to this zoom


class DisplayedActeurCluster(models.Model):
    """Displayed acteurs grouped on a grid per zoom level (0 to `CLUSTER_MAX_ZOOM`), for the vector
    tiles of low zooms: at z5 a tile of every point would weigh megabytes. Rebuilt with the
    displayed acteurs, in the same transaction (see `displayed.displayed_cluster_fill_sql`)."""

    zoom = models.PositiveSmallIntegerField()
    geom = models.PointField(srid=3857, spatial_index=False, help_text="centre of the grouped acteurs")
    nombre = models.PositiveIntegerField()
    groupe_action = models.CharField(max_length=100, blank=True, help_text="most frequent action group")

    class Meta:
        verbose_name = "groupe d'acteurs affichés (tuiles)"
        verbose_name_plural = "groupes d'acteurs affichés (tuiles)"
        # one spatial index per zoom: a tile reads one zoom's groups inside its envelope (written
        # with F(): Django's PostGIS schema editor drops the condition of a `fields=` spatial index)
        indexes = [GistIndex(F("geom"), name=f"displayed_cluster_z{z}_gist", condition=Q(zoom=z))
                   for z in range(CLUSTER_MAX_ZOOM + 1)]
