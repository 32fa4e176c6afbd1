"""L'assistant: the products a citizen searches for ("lave-linge", "canapé"), their synonyms, the
advice texts per family (catégorie d'objets) and per product, and the search log.

The search reads the synonyms alone (a product's own name is one of them). Search columns:
`nom_norm` (lower case, no accents, punctuation as spaces) and `nom_tsv` (French full text over
`nom_norm`) are stored generated columns, written by PostgreSQL from `nom` through
the SQL functions `assistant_normaliser` / `assistant_tsvector` (migration 0001): the query text
goes through the same function, so both sides compare alike, and a synonym staff add is
searchable as soon as it is saved."""

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Func
from django.urls import reverse
from simple_history.models import HistoricalRecords

from geoapp.acteurs.models import CategorieObjet, SousCategorieObjet


def _normalise(field: str) -> Func:
    return Func(F(field), function="assistant_normaliser", output_field=models.TextField())


def _tsvector(field: str) -> Func:
    return Func(F(field), function="assistant_tsvector", output_field=SearchVectorField())


class Poubelle(models.TextChoices):
    ORDURES = "ordures_menageres", "la poubelle d'ordures ménagères (bac gris ou vert)"
    TRI = "tri", "le bac de tri des emballages et papiers (bac jaune)"
    VERRE = "verre", "le conteneur à verre"
    BIODECHETS = "biodechets", "le bac à biodéchets ou le compost"
    AUCUNE = "aucune", "aucune poubelle de la maison : jamais avec les ordures ménagères"


class Conseils(models.Model):
    """What to do with an object, as staff write it. On a product, an empty field takes its
    family's text (`selectors.produit_conseils_get`)."""

    bon_etat = models.TextField("en bon état", blank=True,
                                help_text="donner, vendre, échanger, louer, prêter")
    abime = models.TextField("abîmé ou cassé", blank=True, help_text="réparer, puis trier / déposer")
    reprise = models.TextField("reprises", blank=True,
                               help_text="reprise par le vendeur, filière REP, déchèterie : ce qu'il faut savoir")
    poubelle = models.CharField("poubelle", max_length=32, choices=Poubelle.choices, blank=True,
                                help_text="quand rien d'autre ne s'applique")
    eviter = models.TextField("éviter le déchet", blank=True)

    class Meta:
        abstract = True


class ConseilFamille(Conseils):
    categorie = models.OneToOneField(CategorieObjet, primary_key=True, on_delete=models.CASCADE,
                                     related_name="conseils", verbose_name="famille")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "conseils d'une famille"
        verbose_name_plural = "conseils des familles"

    def __str__(self) -> str:
        return str(self.categorie)


class Produit(Conseils):
    nom = models.CharField(max_length=255, unique=True)
    slug = models.SlugField(max_length=255, unique=True)
    code = models.CharField(max_length=100, blank=True, help_text="code de l'index (ex. DEEE, ADEME_DDS)")
    filieres_rep = models.CharField("filière REP", max_length=255, blank=True)
    eco_organismes = models.CharField("éco-organismes", max_length=255, blank=True)
    sous_categories = models.ManyToManyField(SousCategorieObjet, blank=True, related_name="produits")
    reprise_distributeur = models.BooleanField(
        "reprise par les vendeurs", default=False,
        help_text="appareil électrique : repris par le vendeur à l'achat d'un neuf (1 pour 1), "
                  "les petits appareils sans achat dans les grands magasins (1 pour 0)")
    decheterie = models.BooleanField("accepté en déchèterie", default=True)
    modifie_le = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["modifie_le"], m2m_fields=[sous_categories])

    class Meta:
        ordering = ["nom"]

    def __str__(self) -> str:
        return self.nom

    def save(self, *args, **kwargs):
        """The product's own name is one of its synonyms: the search reads only the synonyms."""
        super().save(*args, **kwargs)
        Synonyme.objects.get_or_create(produit=self, nom=self.nom)

    def get_absolute_url(self) -> str:
        return reverse("assistant:produit", args=[self.slug])


class Synonyme(models.Model):
    produit = models.ForeignKey(Produit, on_delete=models.CASCADE, related_name="synonymes")
    nom = models.CharField(max_length=255)
    nom_norm = models.GeneratedField(expression=_normalise("nom"), output_field=models.TextField(), db_persist=True)
    nom_tsv = models.GeneratedField(expression=_tsvector("nom"), output_field=SearchVectorField(), db_persist=True)
    history = HistoricalRecords(excluded_fields=["nom_norm", "nom_tsv"])

    class Meta:
        ordering = ["nom"]
        constraints = [models.UniqueConstraint(fields=["produit", "nom"], name="assistant_synonyme_unique")]
        indexes = [
            GinIndex(OpClass(F("nom_norm"), name="gin_trgm_ops"), name="assistant_synonyme_nom_trgm", fastupdate=False),
            GinIndex(F("nom_tsv"), name="assistant_synonyme_nom_tsv", fastupdate=False),
            models.Index(OpClass(F("nom_norm"), name="text_pattern_ops"), name="assistant_synonyme_nom_prefixe"),
        ]

    def __str__(self) -> str:
        return self.nom


class Recherche(models.Model):
    """One search a citizen made: its text, how many products it found, the one chosen and its
    rank. Nothing about who searched (no IP, no identifier)."""

    texte = models.CharField(max_length=255)
    nombre_resultats = models.PositiveSmallIntegerField()
    produit = models.ForeignKey(Produit, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="recherches", verbose_name="produit choisi")
    rang = models.PositiveSmallIntegerField(null=True, blank=True, help_text="rang du produit choisi (1 = premier)")
    cree_le = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "recherche"
        ordering = ["-cree_le"]

    def __str__(self) -> str:
        return self.texte
