"""Writes of the back office: the demo accounts (dev settings only)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .roles import ROLES

MOT_DE_PASSE_DEMO = "demo"


def comptes_demo_creer() -> list[str]:
    """One staff account per role, named after it, password `demo`, for `make demo` only: refused
    unless the settings allow it (`BACKOFFICE_COMPTES_DEMO`, true in the dev settings alone)."""
    if not getattr(settings, "BACKOFFICE_COMPTES_DEMO", False):
        raise ImproperlyConfigured("comptes de démonstration refusés : BACKOFFICE_COMPTES_DEMO n'est vrai "
                                   "que dans les réglages de développement")
    from django.contrib.auth.models import Group, User

    for role in ROLES:
        user, _ = User.objects.get_or_create(username=role, defaults={"is_staff": True})
        user.is_staff, user.is_superuser = True, False
        user.set_password(MOT_DE_PASSE_DEMO)
        user.save()
        user.groups.set([Group.objects.get(name=role)])
    return list(ROLES)
