"""Fewer indexes on the tables the apply of suggestions writes (imported acteurs, their labels,
services, propositions and their sous-catégories): each index costs every inserted row.

Dropped, because nothing reads through them:
- `siret` and the GiST of `location` of imported acteurs (nothing queries imported acteurs by
  siret or position: the map and the API read the displayed acteurs, which keep theirs);
- the `source_id` index of imported acteurs: `acteur_source_idext_idx` starts with `source_id`;
- the single-column index on the owner's id of each many-to-many / proposition table: the unique
  (owner, target) index starts with it;
- the `varchar_pattern_ops` (`_like`) copies Django adds for varchar keys, which only serve
  prefix LIKE searches (the admin's search is `icontains`, which no btree serves).
"""

from django.db import migrations, models

# (table, column): indexes dropped below when they exist (Django names them with a hash)
_LIKE = [
    ("acteurs_acteur", "identifiant_unique"), ("acteurs_acteur", "uuid"), ("acteurs_acteur", "acteur_type_id"),
    ("acteurs_acteur_labels", "acteur_id"), ("acteurs_acteur_labels", "labelqualite_id"),
    ("acteurs_acteur_acteur_services", "acteur_id"), ("acteurs_acteur_acteur_services", "acteurservice_id"),
    ("acteurs_propositionservice", "acteur_id"), ("acteurs_propositionservice", "action_id"),
    ("acteurs_propositionservice_sous_categories", "souscategorieobjet_id"),
]
_OWNER = [
    ("acteurs_acteur_labels", "acteur_id"), ("acteurs_acteur_acteur_services", "acteur_id"),
    ("acteurs_propositionservice", "acteur_id"), ("acteurs_propositionservice_sous_categories", "propositionservice_id"),
]


def _drop(table: str, column: str, like: bool) -> str:
    """Drop the non-unique single-column btree index of `table`.`column` (its `_like` copy if
    `like`), whatever its generated name."""
    ops = "varchar_pattern_ops" if like else ""
    return f"""
DO $$ DECLARE n text; BEGIN
  FOR n IN SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
           JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = x.indkey[0]
           WHERE x.indrelid = '{table}'::regclass AND x.indnatts = 1 AND NOT x.indisunique
             AND a.attname = '{column}'
             AND (pg_get_indexdef(x.indexrelid) LIKE '%varchar_pattern_ops%') = {'true' if ops else 'false'}
  LOOP EXECUTE format('DROP INDEX %I', n); END LOOP;
END $$;"""


def _create(table: str, column: str, like: bool) -> str:
    suffix, ops = ("_like", " varchar_pattern_ops") if like else ("", "")
    return f'CREATE INDEX IF NOT EXISTS "{table[:40]}_{column[:15]}{suffix}" ON "{table}" ("{column}"{ops});'


class Migration(migrations.Migration):

    dependencies = [
        ('acteurs', '0002_displayed_tiles'),
    ]

    operations = [
        migrations.RemoveIndex(model_name='acteur', name='acteur_siret_idx'),
        migrations.RemoveIndex(model_name='acteur', name='acteur_location_gist'),
        migrations.AlterField(
            model_name='acteur',
            name='source',
            field=models.ForeignKey(blank=True, db_index=False, null=True,
                                    on_delete=models.deletion.PROTECT, related_name='acteurs',
                                    to='acteurs.source'),
        ),
        *(migrations.RunSQL(_drop(t, c, like=True), _create(t, c, like=True)) for t, c in _LIKE),
        *(migrations.RunSQL(_drop(t, c, like=False), _create(t, c, like=False)) for t, c in _OWNER),
    ]
