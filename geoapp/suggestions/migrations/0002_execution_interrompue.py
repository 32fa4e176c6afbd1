from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("suggestions", "0001_initial")]

    operations = [
        migrations.AlterField(
            model_name="executionsource",
            name="statut",
            field=models.CharField(
                choices=[("en_cours", "en cours"), ("reussie", "réussie"), ("echouee", "échouée"),
                         ("interrompue", "interrompue")],
                default="en_cours", max_length=16),
        ),
    ]
