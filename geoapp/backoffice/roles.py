"""The back office's roles: four groups, each with the permissions of the one before it and its
own, declared here once (shell-style patterns over `app_label.codename`). A migration creates them
and every `migrate` (post_migrate) sets each group's permissions to exactly these, so that a
permission added by a later model or app is granted without a new migration."""

from __future__ import annotations

from fnmatch import fnmatchcase

# the project's apps: what `lecteur` reads (not the users, which are the administrators')
APPS_METIER = ("acteurs", "territoires", "carte", "assistant", "suggestions", "geocodage", "api", "backoffice")

_LECTEUR = tuple(f"{app}.view_*" for app in APPS_METIER)
_CONTRIBUTEUR = (  # edits acteurs as revisions (never the imported acteur), creates acteurs (a revision alone)
    "acteurs.add_revisionacteur", "acteurs.change_revisionacteur",
    "acteurs.add_revisionpropositionservice", "acteurs.change_revisionpropositionservice",
    "acteurs.delete_revisionpropositionservice",
)
_VALIDEUR = (  # validates, rejects (editing a proposed value first) and applies suggestions; merges duplicates
    "suggestions.valider_groupesuggestion", "suggestions.appliquer_groupesuggestion",
    "suggestions.change_groupesuggestion", "suggestions.change_changementsuggestion",
    "acteurs.delete_revisionacteur", "acteurs.fusionner_revisionacteur",
)
_ADMINISTRATEUR = (  # users, sources and their apply policy, map configurations, l'assistant's texts
    "auth.*", "acteurs.add_source", "acteurs.change_source",
    "suggestions.add_politiquesource", "suggestions.change_politiquesource", "suggestions.delete_politiquesource",
    "carte.add_carteconfiguration", "carte.change_carteconfiguration", "carte.delete_carteconfiguration",
    "assistant.add_*", "assistant.change_*", "assistant.delete_*",
)

LECTEUR, CONTRIBUTEUR, VALIDEUR, ADMINISTRATEUR = "lecteur", "contributeur", "valideur", "administrateur"
ROLES: dict[str, tuple[str, ...]] = {
    LECTEUR: _LECTEUR,
    CONTRIBUTEUR: _LECTEUR + _CONTRIBUTEUR,
    VALIDEUR: _LECTEUR + _CONTRIBUTEUR + _VALIDEUR,
    ADMINISTRATEUR: _LECTEUR + _CONTRIBUTEUR + _VALIDEUR + _ADMINISTRATEUR,
}


def role_permissions(*, role: str, permissions: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Pure: the `(app_label, codename)` of `permissions` that `role` holds."""
    motifs = ROLES[role]
    return [(app, code) for app, code in permissions if any(fnmatchcase(f"{app}.{code}", m) for m in motifs)]


def roles_synchroniser(*, apps=None) -> dict[str, int]:
    """Create the groups and set their permissions to exactly the declared ones (`apps`: a
    migration's historical registry, else the live one). Returns group → permission count."""
    if apps is None:
        from django.apps import apps
    Group, Permission = apps.get_model("auth", "Group"), apps.get_model("auth", "Permission")
    rows = list(Permission.objects.values_list("pk", "content_type__app_label", "codename"))
    pk_of = {(app, code): pk for pk, app, code in rows}
    out = {}
    for role in ROLES:
        group, _ = Group.objects.get_or_create(name=role)
        held = role_permissions(role=role, permissions=list(pk_of))
        group.permissions.set([pk_of[p] for p in held])
        out[role] = len(held)
    return out


def permissions_creer(*, apps) -> None:
    """Django creates the permissions after every app migrated (post_migrate): create them now."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True  # a migration's stubs have none
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module
