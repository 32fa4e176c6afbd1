"""/donnees/: the latest open-data files (size, date, schema, licence) and the files themselves."""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.utils.http import http_date
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
        except ClientError as e:
            if e.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise Http404("Le fichier n'est plus dans l'entrepôt.") from e
            return HttpResponse("Le fichier est momentanément indisponible.", status=503,
                                content_type="text/plain; charset=utf-8")
        except BotoCoreError:  # the bucket cannot be reached
            return HttpResponse("Le fichier est momentanément indisponible.", status=503,
                                content_type="text/plain; charset=utf-8")
        reponse = StreamingHttpResponse(corps.iter_chunks(1 << 16), content_type=media)
        reponse["Content-Length"] = str(taille)
        reponse["Content-Disposition"] = f'attachment; filename="{nom}"'
        reponse["Last-Modified"] = http_date(export.cree_le.timestamp())
        return reponse
    return vue


acteurs_csv = _fichier("csv")
acteurs_geojson = _fichier("geojson")
acteurs_parquet = _fichier("parquet")
