"""Old names of moved models (`HfApi.move_repo`), so their URLs redirect."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0006_model_public_id"),
    ]

    operations = [
        migrations.CreateModel(
            name="ModelRedirect",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("namespace_name", models.CharField(max_length=96)),
                ("name", models.CharField(max_length=96)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "model",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="redirects",
                        to="catalog.model",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("namespace_name", "name"), name="model_redirect_unique_name"
                    )
                ],
            },
        ),
    ]
