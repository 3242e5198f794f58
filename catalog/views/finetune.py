"""Pages for "Fine-tune on my data": upload a dataset, review it, start a job, watch it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from catalog import selectors
from catalog.errors import HubError
from catalog.finetune.jobs import finetune_cancel, finetune_submit
from catalog.finetune.options import finetune_options
from catalog.finetune.selectors import dataset_get, dataset_id_parse, job_get
from catalog.forms import DatasetUploadForm, FineTuneForm
from catalog.permissions import model_can_write
from catalog.services.datasets import dataset_create, dataset_discard
from catalog.staging import staged_dataset_file
from catalog.views.finetune_data import dataset_columns, dataset_upload, review_context


@login_required
def finetune_start(request: HttpRequest, owner: str, name: str) -> HttpResponse:
    model, version = selectors.model_and_version(
        user=request.user, owner=owner, name=name, revision=request.GET.get("rev", "main")
    )
    options = finetune_options(version)
    context = {"model": model, "version": version, "options": options}
    if not options.adapters:
        return render(request, "catalog/finetune_start.html", context)
    if request.method == "POST" and "dataset" in request.POST:
        return _submit(request, model, version, context)
    if request.method == "POST" and "columns_of" in request.POST:
        return dataset_columns(request)
    if request.method == "POST":
        return dataset_upload(request, context)
    dataset_id = dataset_id_parse(request.GET.get("dataset", ""))
    if dataset_id is not None:
        return _review(request, model, context, dataset_id)
    context["upload_form"] = DatasetUploadForm(adapter_choices=options.choices)
    return render(request, "catalog/finetune_start.html", context)


def _review(
    request, model, context, dataset_id: int, form: FineTuneForm | None = None, status: int = 200
) -> HttpResponse:
    dataset = dataset_get(user=request.user, dataset_id=dataset_id)
    if form is None:
        # Numbers stay blank: the strategy picked on submit supplies its own defaults.
        form = FineTuneForm(
            initial={
                "strategy": "head-only",
                "dataset": dataset.pk,
                "adapter": dataset.summary.get("adapter"),
                "target_name": f"{model.name}-finetuned",
            }
        )
    if not model_can_write(user=request.user, model=model):
        form.fields.pop("publish_to_base", None)
    context.update(dataset=dataset, form=form, **review_context(dataset, form))
    return render(request, "catalog/finetune_review.html", context, status=status)


def _submit(request, model, version, context) -> HttpResponse:
    form = FineTuneForm(request.POST, request.FILES)
    dataset_id = dataset_id_parse(request.POST.get("dataset", ""))
    if dataset_id is None:
        raise Http404("No such dataset.")
    if form.is_valid():
        try:
            test_dataset = _test_dataset_create(request, form)
        except HubError as exc:
            form.add_error("test_file", exc.message)
        else:
            try:
                job = finetune_submit(
                    user=request.user,
                    base_version=version,
                    dataset=dataset_get(user=request.user, dataset_id=dataset_id),
                    adapter_key=form.cleaned_data["adapter"],
                    params=form.params(),
                    target_name=form.cleaned_data["target_name"],
                    target_private=form.cleaned_data["private"],
                    publish_to_base=form.cleaned_data.get("publish_to_base", False),
                    test_dataset=test_dataset,
                )
            except HubError as exc:
                if test_dataset is not None:  # nothing half-written: no job, no test set
                    dataset_discard(dataset=test_dataset)
                form.add_error(None, exc.message)
            else:
                return redirect("job-detail", job_id=job.pk)
    return _review(request, model, context, dataset_id, form=form, status=400)


def _test_dataset_create(request, form: FineTuneForm):
    """The optional test set, uploaded and checked as any dataset is."""
    upload = form.cleaned_data.get("test_file")
    if not upload:
        return None
    staged = staged_dataset_file(upload)
    return dataset_create(
        owner=request.user, staged=staged, adapter_key=form.cleaned_data["adapter"]
    )


@login_required
def job_detail(request: HttpRequest, job_id: str) -> HttpResponse:
    job = job_get(user=request.user, job_id=job_id)
    template = "catalog/_job_panel.html" if request.GET.get("panel") else "catalog/job_detail.html"
    return render(request, template, {"job": job})


@login_required
@require_POST
def job_cancel(request: HttpRequest, job_id: str) -> HttpResponse:
    job = job_get(user=request.user, job_id=job_id)
    try:
        finetune_cancel(user=request.user, job=job)
    except HubError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Cancellation requested.")
    return redirect("job-detail", job_id=job.pk)
