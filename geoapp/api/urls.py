from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.urls import path, register_converter
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from . import views


class SignedInt:
    regex = "-?[0-9]+"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)


register_converter(SignedInt, "sint")


class RedocView(SpectacularRedocView):
    """Redoc without inline script nor outside fonts (the page's Content-Security-Policy)."""

    template_name = "api/redoc.html"


# The documentation's pages under the Content-Security-Policy: Swagger UI's initialisation is a
# script file of its own (the "split" view); both UIs set inline styles (Redoc's styled-components
# insert <style> elements) and Redoc searches in a worker built from a blob.
docs_csp = csp_update({"style-src": [UNSAFE_INLINE], "worker-src": ["blob:"]})

app_name = "api"
urlpatterns = [
    path("v1/acteurs", views.ActeurListView.as_view(), name="acteurs"),
    path("v1/acteurs/<str:uuid>", views.ActeurDetailView.as_view(), name="acteur"),
    path("v1/tiles/<sint:z>/<sint:x>/<sint:y>.pbf", views.TuileView.as_view(), name="tile"),
    path("v1/communes", views.CommuneSearchView.as_view(), name="communes"),
    path("v1/communes/<str:code>", views.CommuneDetailView.as_view(), name="commune"),
    path("v1/actions", views.actions, name="actions"),
    path("v1/groupes-actions", views.groupes_actions, name="groupes-actions"),
    path("v1/sous-categories", views.sous_categories, name="sous-categories"),
    path("v1/labels", views.labels, name="labels"),
    path("v1/acteur-types", views.acteur_types, name="acteur-types"),
    path("v1/sources", views.SourceListView.as_view(), name="sources"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", docs_csp(SpectacularSwaggerSplitView.as_view(url_name="api:schema")), name="docs"),
    path("redoc/", docs_csp(RedocView.as_view(url_name="api:schema")), name="redoc"),
]
