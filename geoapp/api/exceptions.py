"""Every API error is JSON with a French message and, when a parameter is at fault, its name."""

from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler

from .filters import ParametreInvalide


def api_exception_handler(exc, context):
    if isinstance(exc, ParametreInvalide):
        return Response({"erreur": exc.message, "parametre": exc.parametre}, status=400)
    response = exception_handler(exc, context)
    if response is None:
        return None
    detail = response.data.get("detail") if isinstance(response.data, dict) else None
    if isinstance(exc, exceptions.Throttled):
        message = f"trop de requêtes : réessayez dans {exc.wait and int(exc.wait + 0.999)} s"
    elif isinstance(exc, exceptions.NotFound):
        message = str(detail or "introuvable")
    else:
        message = str(detail or response.data)
    response.data = {"erreur": message}
    return response
