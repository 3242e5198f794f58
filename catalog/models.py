"""The registry's data and its invariants. Writes go through catalog.services, reads through
catalog.selectors; nothing here talks to storage or the network."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from catalog.vocab import LICENSES, SOURCE_DOMAINS, TASKS


class Namespace(models.Model):
    """Who owns models: a user's own namespace or an organization (with members)."""

    class Kind(models.TextChoices):
        USER = "user"
        ORG = "org"

    name = models.CharField(max_length=96, unique=True)
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.USER)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="namespace",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


def public_id_new() -> str:
    """24 hex digits like the Hub's ObjectIds, but random: sequential ids would tell how many
    models, private ones included, were created in between."""
    return secrets.token_hex(12)


class Model(models.Model):
    """A model repository: metadata plus an ordered history of immutable versions."""

    # What the API shows as `_id`; the primary key stays internal.
    public_id = models.CharField(max_length=24, unique=True, default=public_id_new, editable=False)
    namespace = models.ForeignKey(Namespace, on_delete=models.CASCADE, related_name="models")
    name = models.CharField(max_length=96)
    card = models.TextField(blank=True)
    summary = models.CharField(max_length=300, blank=True)
    task = models.CharField(max_length=40, choices=list(TASKS.items()), default="other")
    source_domain = models.CharField(
        max_length=40, choices=list(SOURCE_DOMAINS.items()), default="other"
    )
    library = models.CharField(max_length=40, blank=True)
    license = models.CharField(max_length=40, choices=list(LICENSES.items()), default="unknown")
    datasets = models.JSONField(default=list, blank=True)
    languages = models.JSONField(default=list, blank=True)
    tags = models.JSONField(default=list, blank=True)
    private = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    downloads = models.PositiveBigIntegerField(default=0)
    likes = models.PositiveIntegerField(default=0)
    # Denormalised for search facets and sorts (kept current by the services that change them).
    base_model = models.CharField(max_length=200, blank=True)  # "owner/name" it derives from
    finetunable = models.BooleanField(default=False)  # an adapter accepts its latest version
    trending = models.PositiveBigIntegerField(default=0)  # downloads in the last 7 days

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["namespace", "name"], name="model_unique_name"),
        ]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="model_created_idx"),
            models.Index(fields=["-updated_at", "-id"], name="model_updated_idx"),
            models.Index(fields=["-downloads", "-id"], name="model_downloads_idx"),
            models.Index(fields=["-likes", "-id"], name="model_likes_idx"),
            models.Index(fields=["-trending", "-id"], name="model_trending_idx"),
            models.Index(fields=["task"], name="model_task_idx"),
            models.Index(fields=["base_model"], name="model_base_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.namespace.name}/{self.name}"


class ModelRedirect(models.Model):
    """An old "owner/name" of a moved model: requests for it are redirected to the model's
    current name (as the Hub does after a rename), unless a model takes that name again."""

    namespace_name = models.CharField(max_length=96)
    name = models.CharField(max_length=96)
    model = models.ForeignKey(Model, on_delete=models.CASCADE, related_name="redirects")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["namespace_name", "name"], name="model_redirect_unique_name"
            ),
        ]


class DownloadDay(models.Model):
    """Downloads of one model on one day: the source of the `trending` sort."""

    model = models.ForeignKey(Model, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["model", "day"], name="download_day_unique")]


class Blob(models.Model):
    """Content-addressed bytes, shared by every version file with the same sha256."""

    sha256 = models.CharField(max_length=64, primary_key=True)
    size = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    # Bumped whenever a publish reuses the bytes: garbage collection spares recent blobs, so
    # a publish that found them stored is never robbed before it commits its reference.
    last_seen_at = models.DateTimeField(default=timezone.now)

    @property
    def storage_name(self) -> str:
        return blob_storage_name(self.sha256)


def blob_storage_name(sha256: str) -> str:
    return f"sha256/{sha256[:2]}/{sha256[2:4]}/{sha256}"


class Version(models.Model):
    """An immutable snapshot of a model's files."""

    class Origin(models.TextChoices):
        UPLOAD = "upload"
        FORK = "fork"
        FINETUNE = "finetune"
        IMPORT = "import"

    class Status(models.TextChoices):
        # A version is inserted only once its blobs are stored (services.versions), so every
        # row is ready; reads still filter on READY to keep that an explicit rule.
        READY = "ready"

    model = models.ForeignKey(Model, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    revision = models.CharField(max_length=40, unique=True)
    message = models.TextField(blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.UPLOAD)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.READY)
    metrics = models.JSONField(default=dict, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    total_size = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["model", "number"], name="version_unique_number"),
        ]
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"{self.model_id}@v{self.number}"


class VersionFile(models.Model):
    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="files")
    path = models.CharField(max_length=1024)
    blob = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="+")
    metadata = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "path"], name="file_unique_path"),
        ]
        ordering = ["path"]


class Alias(models.Model):
    """A named pointer to a version (e.g. `stable`); `main` is computed, never stored."""

    model = models.ForeignKey(Model, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=64)
    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="aliases")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["model", "name"], name="alias_unique_name"),
            models.CheckConstraint(condition=~Q(name="main"), name="alias_not_main"),
        ]


class ApiToken(models.Model):
    """A bearer token; only its sha256 is stored, the secret is shown once at creation."""

    class Scope(models.TextChoices):
        READ = "read"
        WRITE = "write"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tokens"
    )
    name = models.CharField(max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)
    scope = models.CharField(max_length=8, choices=Scope.choices, default=Scope.WRITE)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)


class Dataset(models.Model):
    """A user's uploaded training data: one blob plus the summary its validation produced."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="datasets"
    )
    name = models.CharField(max_length=255)
    blob = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16)  # text | images
    format = models.CharField(max_length=16)  # csv | jsonl | zip
    summary = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)


class FineTuneJob(models.Model):
    """One "fine-tune on my data" run: queued -> running -> succeeded | failed | cancelled."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        FAILED = "failed"
        CANCELLED = "cancelled"

    TERMINAL = (Status.SUCCEEDED, Status.FAILED, Status.CANCELLED)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="finetune_jobs"
    )
    base_version = models.ForeignKey(Version, on_delete=models.PROTECT, related_name="+")
    dataset = models.ForeignKey(Dataset, on_delete=models.PROTECT, related_name="jobs")
    # The user's own labelled test set: scored by the shipped model, never trained on.
    test_dataset = models.ForeignKey(
        Dataset, null=True, blank=True, on_delete=models.PROTECT, related_name="test_jobs"
    )
    adapter = models.CharField(max_length=64)
    params = models.JSONField(default=dict)
    target_model = models.ForeignKey(
        Model, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    target_name = models.CharField(max_length=96, blank=True)
    target_private = models.BooleanField(default=False)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    cancel_requested = models.BooleanField(default=False)
    epoch = models.PositiveIntegerField(default=0)
    epochs = models.PositiveIntegerField(default=0)
    history = models.JSONField(default=list)  # one dict per finished epoch
    # The phases the worker went through, in order: {"name", "started", "ended", "done",
    # "total", ...} (catalog.finetune.progress reads them).
    phases = models.JSONField(default=list, blank=True)
    metrics = models.JSONField(default=dict)
    log = models.TextField(blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    result_version = models.OneToOneField(
        Version, null=True, blank=True, on_delete=models.SET_NULL, related_name="finetune_job"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]

    @property
    def is_terminal(self) -> bool:
        return self.status in self.TERMINAL


class Membership(models.Model):
    """A user's role in an organization's namespace."""

    class Role(models.TextChoices):
        READ = "read"
        WRITE = "write"
        ADMIN = "admin"

    namespace = models.ForeignKey(Namespace, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=8, choices=Role.choices, default=Role.READ)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["namespace", "user"], name="membership_unique"),
        ]


class Like(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    model = models.ForeignKey(Model, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "model"], name="like_unique")]


class AuditEvent(models.Model):
    """Who changed what, when. Kept when the model is deleted (its name is in `target`)."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=40)
    namespace = models.ForeignKey(
        Namespace, null=True, on_delete=models.SET_NULL, related_name="audit_events"
    )
    model = models.ForeignKey(
        Model, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_events"
    )
    target = models.CharField(max_length=200)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class Evaluation(models.Model):
    """Scoring one version on one labelled dataset, without training (issue 14, item 5):
    queued -> running -> succeeded | failed. Its owner alone sees it, as with the dataset it
    reads; the dataset's content hash is its blob's sha256."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        FAILED = "failed"

    TERMINAL = (Status.SUCCEEDED, Status.FAILED)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="evaluations"
    )
    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="evaluations")
    dataset = models.ForeignKey(Dataset, on_delete=models.PROTECT, related_name="evaluations")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    report = models.JSONField(default=dict, blank=True)  # adapters.evaluation.report's shape
    error = models.TextField(blank=True)
    log = models.TextField(blank=True)
    done = models.PositiveIntegerField(default=0)  # examples predicted so far
    total = models.PositiveIntegerField(default=0)
    attempts = models.PositiveIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["version", "owner", "status"])]

    @property
    def is_terminal(self) -> bool:
        return self.status in self.TERMINAL
