from tests.clones.fixtures import serveur_donnees_url  # noqa: F401
