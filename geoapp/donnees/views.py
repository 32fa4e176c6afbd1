"""/donnees/: the latest open-data files (size, date, schema, licence) and the files themselves."""

from __future__ import annotations

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from geoapp.acteurs.models import Source

from . import selectors, stockage
from .services import FICHIERS, FORMATS_LIBELLES


@require_safe
def donnees(request):
    exports = selectors.export_latest_list()
    schema = selectors.schema_acteurs()
    fichiers = [{"export": e, "nom": FICHIERS[e.format][0], "libelle": FORMATS_LIBELLES[e.format]} for e in exports]
    sources = Source.objects.filter(licence__in=selectors.LICENCES_OUVERTES, afficher=True).order_by("libelle")
    return render(request, "donnees/donnees.html", {
        "fichiers": fichiers, "schema": schema, "licence": schema["licenses"][0], "sources": sources,
        "retention": settings.DONNEES_RETENTION_JOURS,
    })


@require_safe
def schema(request):
    return FileResponse(selectors.SCHEMA_PATH.open("rb"), content_type="application/schema+json; charset=utf-8",
                        filename="acteurs.schema.json", as_attachment=False)


def _fichier(format_: str):
    @require_safe
    def vue(request):
        export = selectors.export_latest_get(format=format_)
        if export is None:
            raise Http404("Aucun export n'a encore été publié.")
        nom, media = FICHIERS[format_]
        if settings.DONNEES_URL_PUBLIQUE:
            return HttpResponseRedirect(f"{settings.DONNEES_URL_PUBLIQUE.rstrip('/')}/{stockage.LATEST}/{nom}")
        try:
            corps, taille = stockage.objet_lire(cle=export.cle_latest)
        except Exception as e:  # the registry names a file the bucket no longer has
            raise Http404("Le fichier n'est pas disponible.") from e
        reponse = StreamingHttpResponse(corps.iter_chunks(1 << 16), content_type=media)
        reponse["Content-Length"] = str(taille)
        reponse["Content-Disposition"] = f'attachment; filename="{nom}"'
        reponse["Last-Modified"] = export.cree_le.strftime("%a, %d %b %Y %H:%M:%S GMT")
        return reponse
    return vue


acteurs_csv = _fichier("csv")
acteurs_geojson = _fichier("geojson")
acteurs_parquet = _fichier("parquet")
