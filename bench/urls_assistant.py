"""The app's URLs plus the product search done the way the existing search does it (trigram
similarity with a prefix bonus over unaccented terms), for `bench/assistant.py` only."""

from django.db import connection
from django.http import JsonResponse
from django.urls import path, reverse

from geoapp.config.urls import urlpatterns as app_urlpatterns

# every name and synonym, unaccented and lower-cased at each query, scored by similarity plus a
# bonus when it starts with the query; no index can serve it
BASELINE_SQL = """
SELECT p.nom, p.slug, s.terme FROM (
  SELECT DISTINCT ON (t.produit_id) t.produit_id, t.terme,
         similarity(unaccent(lower(t.terme)), unaccent(lower(%(q)s)))
         + CASE WHEN unaccent(lower(t.terme)) LIKE replace(replace(unaccent(lower(%(q)s)), '%%', ''), '_', '') || '%%'
                THEN 0.5 ELSE 0 END AS score
  FROM (SELECT id AS produit_id, nom AS terme FROM assistant_produit
        UNION ALL SELECT produit_id, nom FROM assistant_synonyme) t
  ORDER BY t.produit_id, score DESC) s
JOIN assistant_produit p ON p.id = s.produit_id
WHERE s.score >= 0.2
ORDER BY s.score DESC, p.nom
LIMIT %(limit)s"""


def baseline_search(q: str, limit: int) -> list[tuple[str, str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(BASELINE_SQL, {"q": q, "limit": limit})
        return cursor.fetchall()


def naive_produits(request):
    q, limit = request.GET.get("q", ""), int(request.GET.get("limit", 5))
    return JsonResponse({"results": [
        {"nom": nom, "slug": slug, "url": reverse("assistant:produit", args=[slug]), "synonyme": terme}
        for nom, slug, terme in baseline_search(q, limit)]})


urlpatterns = [*app_urlpatterns, path("naif/produits", naive_produits)]
