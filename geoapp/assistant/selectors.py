"""Reads of l'assistant: the product search, products with their advice, families, the search log.

The search (`produit_search`) runs in PostgreSQL over the products' names and their synonyms,
normalised alike on both sides (`assistant_normaliser`: lower case, no accents, punctuation as
spaces). Candidates come from three indexes: trigrams (GIN `gin_trgm_ops`: `%` for a typo in the
whole text, and `LIKE '% mot%'` for a word of the name starting with the query), prefixes (btree
`text_pattern_ops`) and French full text (GIN over `assistant_tsvector`, any of the query's stemmed words: plurals and
phrasings with extra words, "vieux canapé"). Each candidate name is then ranked: exact match, then
the name starting with the query, then a word of the name starting with it, then by the best of
three trigram similarities (whole text, query inside the name, name inside the query); shorter
names first on ties. One line per product: its best-ranked name is the `synonyme` that matched."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count, Prefetch, Q
from django.db.models.functions import Lower, Trim

from geoapp.acteurs.models import Action, CategorieObjet

from .models import ConseilFamille, Poubelle, Produit, Recherche

# --- the search, in named pieces ---------------------------------------------------------------

# A phrasing says the object's state ("vieux canapé", "frigo qui ne marche plus", "piles
# usagées"): those words are not the object. The query's *core* is the query without them (and
# without a leading article), matched like the query itself. Accent-free, as `assistant_normaliser` writes.
MOTS_ETAT = [
    "vieux", "vieil", "vieille", "vieilles", "ancien", "ancienne", "anciens", "anciennes",
    "usage", "usagee", "usages", "usagees", "use", "usee", "uses", "usees", "abime", "abimee", "abimes", "abimees",
    "casse", "cassee", "casses", "cassees", "perime", "perimee", "perimes", "perimees", "entame", "entamee",
    "entames", "entamees", "rouille", "rouillee", "rouilles", "rouillees", "grille", "grillee", "grilles", "grillees",
    "en panne", "hors service", "hs", "qui ne marche plus", "qui ne fonctionne plus", "ne marche plus",
    "ne fonctionne plus", "qui marche plus", "d occasion", "de seconde main", "trop petit", "trop petite",
    "trop petits", "trop petites", "trop grand", "trop grande", "trops grands", "trop grandes",
    "dont je ne me sers plus", "dont je n ai plus besoin", "apres les fetes", "a jeter",
]
ARTICLES = ["un", "une", "des", "le", "la", "les", "l", "mon", "ma", "mes", "du", "d", "mon vieux", "ma vieille"]
MOTS_ETAT_RE = r"\m(" + "|".join(sorted(MOTS_ETAT, key=len, reverse=True)) + r")\M"
ARTICLES_RE = r"^(" + "|".join(sorted(ARTICLES, key=len, reverse=True)) + r")\s+"

REQUETE = r"""q0 AS (SELECT assistant_normaliser(%(q)s) AS t),
q AS (SELECT q0.t,
             coalesce(nullif(btrim(regexp_replace(regexp_replace(regexp_replace(q0.t, %(etat)s, ' ', 'g'),
                                                                 %(articles)s, ''), '\s+', ' ', 'g')), ''), q0.t) AS c,
             assistant_tsquery_ou(%(q)s) AS ou
      FROM q0)"""

# every branch is answered by an index of the synonyms (a product's name is one; MATERIALIZED: planned alone, not
# walked in `produit_id` order for the DISTINCT ON below, which would read every row).
# niveau: 4 the same text, 3 the same stemmed words (a plural), 2 the name starts with the query
# (or its core), 1 a word of the name does, 0 otherwise. proximite: the best trigram similarity of
# the whole texts, of the query inside the name, of the name inside the core (weighted by how much
# of the core the name covers: "smartphone à l'écran" is about the smartphone more than the écran).
CANDIDATS = """candidats AS MATERIALIZED (
  SELECT t.produit_id, t.terme, t.norm,
         CASE WHEN t.norm = q.t OR t.norm = q.c THEN 4
              WHEN tsvector_to_array(t.tsv) = tsvector_to_array(assistant_tsvector(q.c)) THEN 3
              WHEN t.norm LIKE q.t || '%%' OR t.norm LIKE q.c || '%%' THEN 2
              WHEN t.norm LIKE '%% ' || q.t || '%%' THEN 1
              ELSE 0 END AS niveau,
         greatest(similarity(t.norm, q.t), similarity(t.norm, q.c), word_similarity(q.c, t.norm),
                  word_similarity(t.norm, q.c) * (0.75 + 0.2 * least(1.0, length(t.norm)::float / length(q.c))))
           AS proximite
  FROM (SELECT s.produit_id, s.nom AS terme, s.nom_norm AS norm, s.nom_tsv AS tsv FROM assistant_synonyme s) t, q
  WHERE q.t <> '' AND (t.norm %% q.t OR t.norm %% q.c OR t.norm LIKE q.t || '%%' OR t.norm LIKE q.c || '%%'
                       OR t.norm LIKE '%% ' || q.t || '%%' OR t.tsv @@ q.ou))"""

MEILLEUR_PAR_PRODUIT = """meilleurs AS (
  SELECT DISTINCT ON (c.produit_id) c.produit_id, c.terme, c.niveau, c.proximite, length(c.norm) AS longueur
  FROM candidats c
  ORDER BY c.produit_id, c.niveau DESC, c.proximite DESC, length(c.norm), c.terme)"""

CLASSEMENT = """SELECT p.nom, p.slug, m.terme, m.niveau, m.proximite,
       ARRAY(SELECT ps.souscategorieobjet_id FROM assistant_produit_sous_categories ps
             WHERE ps.produit_id = p.id ORDER BY 1) AS sous_categories
FROM meilleurs m JOIN assistant_produit p ON p.id = m.produit_id
WHERE m.niveau > 0 OR m.proximite >= %(proximite_min)s
ORDER BY m.niveau DESC, m.proximite DESC, m.longueur, p.nom
LIMIT %(limit)s"""

SEARCH_SQL = "WITH " + ",\n".join([REQUETE, CANDIDATS, MEILLEUR_PAR_PRODUIT]) + "\n" + CLASSEMENT
PROXIMITE_MIN = 0.3  # under it, a full-text candidate sharing one common word is noise


@dataclass(frozen=True)
class ResultatProduit:
    nom: str
    slug: str
    synonyme: str
    sous_categories: list[str]
    niveau: int
    proximite: float


def produit_search(*, q: str, limit: int = 5) -> list[ResultatProduit]:
    # The tables are small, so the planner would read them whole, computing the trigram similarity
    # of every name (~8 µs each, 20 ms a query); through the indexes it computes only the candidates'.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(SEARCH_SQL, {"q": q, "limit": limit, "proximite_min": PROXIMITE_MIN,
                                    "etat": MOTS_ETAT_RE, "articles": ARTICLES_RE})
        return [ResultatProduit(nom, slug, terme, list(scs or []), niveau, float(proximite))
                for nom, slug, terme, niveau, proximite, scs in cursor.fetchall()]


# The keystroke search, kept in the shared cache (Redis: every web process and host) per text and
# limit, under a generation that any change of the products or synonyms moves on (`signals.py`);
# RECHERCHE_CACHE_S bounds an entry's life besides.
GENERATION_CLE = "assistant:produits:generation"


def produit_generation() -> int:
    from django.core.cache import cache

    generation = cache.get(GENERATION_CLE)
    if generation is None:
        cache.add(GENERATION_CLE, 1, timeout=None)
        generation = cache.get(GENERATION_CLE, 1)
    return generation


def produit_search_en_cache(*, q: str, limit: int = 5) -> list[ResultatProduit]:
    """`produit_search`, answered from the shared cache when the same text was asked since the
    products last changed (one round trip to Redis instead of the search's four to PostgreSQL)."""
    import hashlib

    from django.conf import settings
    from django.core.cache import cache

    cle = (f"assistant:produits:{produit_generation()}:{limit}:"
           f"{hashlib.blake2b(q.encode('utf-8', 'surrogatepass'), digest_size=16).hexdigest()}")
    resultats = cache.get(cle)
    if resultats is None:
        resultats = produit_search(q=q, limit=limit)
        cache.set(cle, resultats, timeout=settings.RECHERCHE_CACHE_S)
    return resultats


# --- products, families ------------------------------------------------------------------------


def produit_get(*, slug: str) -> Produit | None:
    return (Produit.objects.filter(slug=slug)
            .prefetch_related("synonymes", "sous_categories__categorie").first())


# What each state lets a citizen do, in the order the page offers it. "Déposer" (trier) is what
# the map calls dropping off for recycling.
ETATS = {
    "bon_etat": {"libelle": "en bon état", "actions": ["donner", "revendre", "echanger", "mettreenlocation", "preter"]},
    "abime": {"libelle": "abîmé ou cassé", "actions": ["reparer", "trier", "rapporter"]},
}

TEXTES_PAR_DEFAUT = {
    "bon_etat": "Un objet qui fonctionne encore peut servir à quelqu'un d'autre : donnez-le à une "
                "ressourcerie ou une association, vendez-le d'occasion, échangez-le ou prêtez-le.",
    "abime": "Avant de le jeter, demandez un devis de réparation. S'il ne se répare pas, déposez-le là "
             "où il sera recyclé plutôt que dans la poubelle.",
    "reprise": "",
    "eviter": "Achetez-le d'occasion, louez-le ou empruntez-le quand vous n'en avez besoin que rarement, "
              "et choisissez un modèle réparable.",
}


@dataclass(frozen=True)
class ConseilsProduit:
    bon_etat: str
    abime: str
    reprise: str
    poubelle: str  # the label of the bin, "" when it does not apply
    eviter: str
    actions: dict[str, list[dict]]  # état → the actions of the referential it allows for this product


def produit_conseils_get(*, produit: Produit) -> ConseilsProduit:
    """The product's advice: its own text for each field, else the first of its families that has
    one, else the general text. The actions per state are those of the referential, shown only
    when the product has sous-catégories the map can filter on."""
    familles = list(dict.fromkeys(sc.categorie_id for sc in produit.sous_categories.all()))
    par_famille = {c.categorie_id: c for c in ConseilFamille.objects.filter(categorie_id__in=familles)}
    conseils_familles = [par_famille[f] for f in familles if f in par_famille]

    def champ(name: str) -> str:
        own = getattr(produit, name)
        if own:
            return own
        return next((getattr(c, name) for c in conseils_familles if getattr(c, name)), TEXTES_PAR_DEFAUT.get(name, ""))

    libelles = dict(Action.objects.values_list("code", "libelle"))
    actions = {etat: [{"code": a, "libelle": libelles.get(a) or a} for a in spec["actions"] if a in libelles]
               for etat, spec in ETATS.items()}
    poubelle = champ("poubelle")
    return ConseilsProduit(bon_etat=champ("bon_etat"), abime=champ("abime"), reprise=champ("reprise"),
                           poubelle=Poubelle(poubelle).label if poubelle in Poubelle.values else "",
                           eviter=champ("eviter"), actions=actions)


def famille_list() -> list[CategorieObjet]:
    """The families that have products, with their count."""
    return list(CategorieObjet.objects.annotate(nombre_produits=Count("sous_categories__produits", distinct=True))
                .filter(nombre_produits__gt=0).order_by("libelle"))


def famille_get(*, code: str) -> CategorieObjet | None:
    return (CategorieObjet.objects.filter(code=code)
            .prefetch_related(Prefetch("sous_categories")).first())


def famille_produit_list(*, code: str) -> list[Produit]:
    return list(Produit.objects.filter(sous_categories__categorie_id=code).distinct().order_by("nom"))


# --- the search log ----------------------------------------------------------------------------


def recherche_frequentes_list(*, limit: int = 50, sans_resultat: bool = False) -> list[dict]:
    """The most frequent queries (case and spaces folded), or those that found nothing."""
    qs = Recherche.objects.all()
    if sans_resultat:
        qs = qs.filter(nombre_resultats=0)
    return list(qs.annotate(requete=Lower(Trim("texte"))).values("requete")
                .annotate(nombre=Count("id"), choisies=Count("id", filter=Q(produit__isnull=False)))
                .order_by("-nombre", "requete")[:limit])
