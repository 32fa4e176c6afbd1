"""Any change of the products, their synonyms or their sous-catégories moves the cached searches'
generation on: the next keystroke search reads the new names."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from .models import Produit, Synonyme


def produit_generation_avancer() -> None:
    from django.core.cache import cache

    from .selectors import GENERATION_CLE, produit_generation

    produit_generation()  # (created if missing)
    try:
        cache.incr(GENERATION_CLE)
    except ValueError:  # evicted meanwhile
        cache.add(GENERATION_CLE, 2, timeout=None)


# once the change is committed (what another request can read), not before
@receiver([post_save, post_delete], sender=Produit)
@receiver([post_save, post_delete], sender=Synonyme)
def _produits_changes(sender, **kwargs) -> None:
    transaction.on_commit(produit_generation_avancer)


@receiver(m2m_changed, sender=Produit.sous_categories.through)
def _sous_categories_changees(sender, action: str, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        transaction.on_commit(produit_generation_avancer)
