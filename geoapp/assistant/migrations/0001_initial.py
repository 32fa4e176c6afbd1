
import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations, models

# The one normalisation of a product's name and of the query text: lower case, no accents
# (unaccent's rules: œ → oe), every run of other characters as one space. IMMUTABLE so that
# stored generated columns and indexes may use it (unaccent is STABLE only because its dictionary
# could change; this one is fixed).
FONCTIONS = r"""
CREATE OR REPLACE FUNCTION assistant_normaliser(t text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT btrim(regexp_replace(lower(public.unaccent('public.unaccent'::regdictionary, t)), '[^a-z0-9]+', ' ', 'g'))
$$;
CREATE OR REPLACE FUNCTION assistant_tsvector(t text) RETURNS tsvector
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT to_tsvector('pg_catalog.french'::regconfig, public.assistant_normaliser(t))  -- qualified: a restore runs with an empty search_path
$$;
-- the query's stemmed words, any of them (a phrasing's extra words must not exclude a product)
CREATE OR REPLACE FUNCTION assistant_tsquery_ou(t text) RETURNS tsquery
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT nullif(array_to_string(tsvector_to_array(public.assistant_tsvector(t)), ' | '), '')::tsquery
$$;
"""
SANS_FONCTIONS = """DROP FUNCTION IF EXISTS assistant_tsquery_ou(text); DROP FUNCTION IF EXISTS assistant_tsvector(text);
DROP FUNCTION IF EXISTS assistant_normaliser(text);"""


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('acteurs', '0004_displayedacteur_feature'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        UnaccentExtension(),
        TrigramExtension(),
        migrations.RunSQL(FONCTIONS, SANS_FONCTIONS),
        migrations.CreateModel(
            name='ConseilFamille',
            fields=[
                ('bon_etat', models.TextField(blank=True, help_text='donner, vendre, échanger, louer, prêter', verbose_name='en bon état')),
                ('abime', models.TextField(blank=True, help_text='réparer, puis trier / déposer', verbose_name='abîmé ou cassé')),
                ('reprise', models.TextField(blank=True, help_text="reprise par le vendeur, filière REP, déchèterie : ce qu'il faut savoir", verbose_name='reprises')),
                ('poubelle', models.CharField(blank=True, choices=[('ordures_menageres', "la poubelle d'ordures ménagères (bac gris ou vert)"), ('tri', 'le bac de tri des emballages et papiers (bac jaune)'), ('verre', 'le conteneur à verre'), ('biodechets', 'le bac à biodéchets ou le compost'), ('aucune', 'aucune poubelle de la maison : jamais avec les ordures ménagères')], help_text="quand rien d'autre ne s'applique", max_length=32, verbose_name='poubelle')),
                ('eviter', models.TextField(blank=True, verbose_name='éviter le déchet')),
                ('categorie', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='conseils', serialize=False, to='acteurs.categorieobjet', verbose_name='famille')),
            ],
            options={
                'verbose_name': "conseils d'une famille",
                'verbose_name_plural': 'conseils des familles',
            },
        ),
        migrations.CreateModel(
            name='HistoricalConseilFamille',
            fields=[
                ('bon_etat', models.TextField(blank=True, help_text='donner, vendre, échanger, louer, prêter', verbose_name='en bon état')),
                ('abime', models.TextField(blank=True, help_text='réparer, puis trier / déposer', verbose_name='abîmé ou cassé')),
                ('reprise', models.TextField(blank=True, help_text="reprise par le vendeur, filière REP, déchèterie : ce qu'il faut savoir", verbose_name='reprises')),
                ('poubelle', models.CharField(blank=True, choices=[('ordures_menageres', "la poubelle d'ordures ménagères (bac gris ou vert)"), ('tri', 'le bac de tri des emballages et papiers (bac jaune)'), ('verre', 'le conteneur à verre'), ('biodechets', 'le bac à biodéchets ou le compost'), ('aucune', 'aucune poubelle de la maison : jamais avec les ordures ménagères')], help_text="quand rien d'autre ne s'applique", max_length=32, verbose_name='poubelle')),
                ('eviter', models.TextField(blank=True, verbose_name='éviter le déchet')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('categorie', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='acteurs.categorieobjet', verbose_name='famille')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': "historical conseils d'une famille",
                'verbose_name_plural': 'historical conseils des familles',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalProduit',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('bon_etat', models.TextField(blank=True, help_text='donner, vendre, échanger, louer, prêter', verbose_name='en bon état')),
                ('abime', models.TextField(blank=True, help_text='réparer, puis trier / déposer', verbose_name='abîmé ou cassé')),
                ('reprise', models.TextField(blank=True, help_text="reprise par le vendeur, filière REP, déchèterie : ce qu'il faut savoir", verbose_name='reprises')),
                ('poubelle', models.CharField(blank=True, choices=[('ordures_menageres', "la poubelle d'ordures ménagères (bac gris ou vert)"), ('tri', 'le bac de tri des emballages et papiers (bac jaune)'), ('verre', 'le conteneur à verre'), ('biodechets', 'le bac à biodéchets ou le compost'), ('aucune', 'aucune poubelle de la maison : jamais avec les ordures ménagères')], help_text="quand rien d'autre ne s'applique", max_length=32, verbose_name='poubelle')),
                ('eviter', models.TextField(blank=True, verbose_name='éviter le déchet')),
                ('nom', models.CharField(db_index=True, max_length=255)),
                ('slug', models.SlugField(max_length=255)),
                ('code', models.CharField(blank=True, help_text="code de l'index (ex. DEEE, ADEME_DDS)", max_length=100)),
                ('filieres_rep', models.CharField(blank=True, max_length=255, verbose_name='filière REP')),
                ('eco_organismes', models.CharField(blank=True, max_length=255, verbose_name='éco-organismes')),
                ('reprise_distributeur', models.BooleanField(default=False, help_text="appareil électrique : repris par le vendeur à l'achat d'un neuf (1 pour 1), les petits appareils sans achat dans les grands magasins (1 pour 0)", verbose_name='reprise par les vendeurs')),
                ('decheterie', models.BooleanField(default=True, verbose_name='accepté en déchèterie')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'historical produit',
                'verbose_name_plural': 'historical produits',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='Produit',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('bon_etat', models.TextField(blank=True, help_text='donner, vendre, échanger, louer, prêter', verbose_name='en bon état')),
                ('abime', models.TextField(blank=True, help_text='réparer, puis trier / déposer', verbose_name='abîmé ou cassé')),
                ('reprise', models.TextField(blank=True, help_text="reprise par le vendeur, filière REP, déchèterie : ce qu'il faut savoir", verbose_name='reprises')),
                ('poubelle', models.CharField(blank=True, choices=[('ordures_menageres', "la poubelle d'ordures ménagères (bac gris ou vert)"), ('tri', 'le bac de tri des emballages et papiers (bac jaune)'), ('verre', 'le conteneur à verre'), ('biodechets', 'le bac à biodéchets ou le compost'), ('aucune', 'aucune poubelle de la maison : jamais avec les ordures ménagères')], help_text="quand rien d'autre ne s'applique", max_length=32, verbose_name='poubelle')),
                ('eviter', models.TextField(blank=True, verbose_name='éviter le déchet')),
                ('nom', models.CharField(max_length=255, unique=True)),
                ('slug', models.SlugField(max_length=255, unique=True)),
                ('code', models.CharField(blank=True, help_text="code de l'index (ex. DEEE, ADEME_DDS)", max_length=100)),
                ('filieres_rep', models.CharField(blank=True, max_length=255, verbose_name='filière REP')),
                ('eco_organismes', models.CharField(blank=True, max_length=255, verbose_name='éco-organismes')),
                ('reprise_distributeur', models.BooleanField(default=False, help_text="appareil électrique : repris par le vendeur à l'achat d'un neuf (1 pour 1), les petits appareils sans achat dans les grands magasins (1 pour 0)", verbose_name='reprise par les vendeurs')),
                ('decheterie', models.BooleanField(default=True, verbose_name='accepté en déchèterie')),
                ('modifie_le', models.DateTimeField(auto_now=True)),
                ('sous_categories', models.ManyToManyField(blank=True, related_name='produits', to='acteurs.souscategorieobjet')),
            ],
            options={
                'ordering': ['nom'],
            },
        ),
        migrations.CreateModel(
            name='HistoricalSynonyme',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('nom', models.CharField(max_length=255)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('produit', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='assistant.produit')),
            ],
            options={
                'verbose_name': 'historical synonyme',
                'verbose_name_plural': 'historical synonymes',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalProduit_sous_categories',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('m2m_history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, to='assistant.historicalproduit')),
                ('souscategorieobjet', models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='acteurs.souscategorieobjet')),
                ('produit', models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='assistant.produit')),
            ],
            options={
                'verbose_name': 'HistoricalProduit_sous_categories',
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='Recherche',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('texte', models.CharField(max_length=255)),
                ('nombre_resultats', models.PositiveSmallIntegerField()),
                ('rang', models.PositiveSmallIntegerField(blank=True, help_text='rang du produit choisi (1 = premier)', null=True)),
                ('cree_le', models.DateTimeField(auto_now_add=True, db_index=True)),
                ('produit', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='recherches', to='assistant.produit', verbose_name='produit choisi')),
            ],
            options={
                'verbose_name': 'recherche',
                'ordering': ['-cree_le'],
            },
        ),
        migrations.CreateModel(
            name='Synonyme',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('nom', models.CharField(max_length=255)),
                ('nom_norm', models.GeneratedField(db_persist=True, expression=models.Func(models.F('nom'), function='assistant_normaliser', output_field=models.TextField()), output_field=models.TextField())),
                ('nom_tsv', models.GeneratedField(db_persist=True, expression=models.Func(models.F('nom'), function='assistant_tsvector', output_field=django.contrib.postgres.search.SearchVectorField()), output_field=django.contrib.postgres.search.SearchVectorField())),
                ('produit', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='synonymes', to='assistant.produit')),
            ],
            options={
                'ordering': ['nom'],
                'indexes': [django.contrib.postgres.indexes.GinIndex(django.contrib.postgres.indexes.OpClass(models.F('nom_norm'), name='gin_trgm_ops'), fastupdate=False, name='assistant_synonyme_nom_trgm'), django.contrib.postgres.indexes.GinIndex(models.F('nom_tsv'), fastupdate=False, name='assistant_synonyme_nom_tsv'), models.Index(django.contrib.postgres.indexes.OpClass(models.F('nom_norm'), name='text_pattern_ops'), name='assistant_synonyme_nom_prefixe')],
                'constraints': [models.UniqueConstraint(fields=('produit', 'nom'), name='assistant_synonyme_unique')],
            },
        ),
    ]
