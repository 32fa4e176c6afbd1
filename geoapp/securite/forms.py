"""The admin's login form, locked for a while after repeated failures (counts in the shared cache)."""

from __future__ import annotations

import math

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm

from . import services
from .selectors import client_adresse_get


class ConnexionAdminForm(AdminAuthenticationForm):
    def clean(self):
        client = client_adresse_get(meta=self.request.META) if self.request else ""
        identifiant = self.data.get("username") or ""
        reste = services.connexion_verrou_get(client=client, identifiant=identifiant)
        if reste is not None:
            # checked before the password: a locked client learns nothing from its next guesses
            raise forms.ValidationError(
                "Trop de tentatives de connexion échouées : réessayez dans %(minutes)s minute(s).",
                code="verrouille", params={"minutes": math.ceil(reste / 60)})
        try:
            cleaned = super().clean()
        except forms.ValidationError as exc:
            if any(getattr(e, "code", None) == "invalid_login" for e in exc.error_list):
                services.connexion_echec_noter(client=client, identifiant=identifiant)
            raise
        services.connexion_reussite_noter(client=client, identifiant=identifiant)
        return cleaned
