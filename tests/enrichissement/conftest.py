from tests.clones.fixtures import ban_clone, serveur_donnees_url  # noqa: F401
