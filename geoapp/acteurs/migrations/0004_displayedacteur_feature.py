"""Each displayed acteur's GeoJSON Feature, stored (a generated column): the API concatenates them.

`json_build_object` is STABLE (its generic type output could depend on settings such as DateStyle),
so a generated column cannot call it directly; none of the properties here is of such a type (text,
arrays of text, jsonb, boolean), so the wrapper below is truly IMMUTABLE. PL/pgSQL: its single
RETURN is evaluated as a simple expression (a SQL function that cannot be inlined costs more)."""

from django.db import migrations, models
from django.db.models import F, Func

FEATURE_PROPERTIES = (  # geoapp.acteurs.models.FEATURE_PROPERTIES when this migration was written
    ("uuid", "varchar"), ("nom", "varchar"), ("nom_commercial", "varchar"), ("adresse", "varchar"),
    ("adresse_complement", "varchar"), ("code_postal", "varchar"), ("ville", "varchar"),
    ("code_commune_insee", "varchar"), ("acteur_type", "varchar"), ("propositions", "jsonb"),
    ("actions", "varchar[]"), ("groupes_actions", "varchar[]"), ("labels", "varchar[]"), ("sources", "varchar[]"),
    ("horaires_osm", "varchar"), ("horaires_description", "text"), ("telephone", "varchar"), ("url", "varchar"),
    ("exclusivite_de_reprisereparation", "boolean"),
)
ARGS = ", ".join(["location geography", *(f"p_{name} {kind}" for name, kind in FEATURE_PROPERTIES)])
PROPS = ", ".join(f"'{name}', p_{name}" for name, _ in FEATURE_PROPERTIES)

CREATE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION displayed_acteur_feature({ARGS}) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
  RETURN json_build_object('type', 'Feature', 'geometry', ST_AsGeoJSON(location, 6)::json,
                           'properties', json_build_object({PROPS}))::text;
END $$"""
DROP_FUNCTION = f"DROP FUNCTION IF EXISTS displayed_acteur_feature({', '.join(['geography', *(k for _, k in FEATURE_PROPERTIES)])})"


class Migration(migrations.Migration):

    dependencies = [
        ('acteurs', '0003_acteur_moins_index'),
    ]

    operations = [
        migrations.RunSQL(CREATE_FUNCTION, DROP_FUNCTION),
        migrations.AddField(
            model_name='displayedacteur',
            name='feature',
            field=models.GeneratedField(
                db_persist=True,
                expression=Func(F('location'), *(F(name) for name, _ in FEATURE_PROPERTIES),
                                function='displayed_acteur_feature', output_field=models.TextField()),
                output_field=models.TextField()),
        ),
    ]
