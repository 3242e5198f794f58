import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings")

app = Celery("hub")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Tasks that live with their domain (Read the Docs style), besides catalog/tasks.py.
app.autodiscover_tasks(["catalog.finetune", "catalog.evaluation", "catalog.search"])
