"""Pages for "Evaluate": pick or upload a labelled dataset, watch the run, read the report."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from catalog import selectors
from catalog.errors import HubError
from catalog.evaluation.forms import EvaluateForm
from catalog.evaluation.jobs import evaluation_submit
from catalog.evaluation.selectors import datasets_for_evaluation, evaluation_get
from catalog.evaluation.targets import DATASET_KINDS, evaluation_options, evaluation_target
from catalog.finetune.selectors import dataset_get
from catalog.selectors import sight_of
from catalog.services.datasets import dataset_create
from catalog.staging import staged_dataset_file


@login_required
def model_evaluate(request: HttpRequest, owner: str, name: str) -> HttpResponse:
    model, version = selectors.model_and_version(
        user=request.user, owner=owner, name=name, revision=request.GET.get("rev", "main")
    )
    options = evaluation_options(version)
    context = {"model": model, "version": version, "options": options}
    if options.classifier is None:
        return render(request, "catalog/evaluate_start.html", context)
    datasets = datasets_for_evaluation(
        user=request.user, kind=DATASET_KINDS[options.classifier.modality]
    )
    try:  # a file over the upload limit is refused while it streams in
        posted = request.method == "POST"
        form = EvaluateForm(
            request.POST if posted else None,
            request.FILES if posted else None,
            datasets=datasets,
            upload_hint=options.upload_hint,
        )
        valid = posted and form.is_valid()
    except HubError as exc:
        form = EvaluateForm(datasets=datasets, upload_hint=options.upload_hint)
        form.add_error(None, exc.message)
        valid = False
    if valid:
        try:
            # Rights (a LoRA adapter's base too) before an upload is stored as a dataset.
            evaluation_target(user=request.user, version=version)
            dataset = _dataset(request, form, options.classifier.adapter_key)
            evaluation = evaluation_submit(user=request.user, version=version, dataset=dataset)
        except HubError as exc:
            form.add_error("file" if form.cleaned_data.get("file") else None, exc.message)
        else:
            return redirect("evaluation-detail", evaluation_id=evaluation.pk)
    context["form"] = form
    return render(
        request, "catalog/evaluate_start.html", context, status=400 if form.errors else 200
    )


def _dataset(request: HttpRequest, form: EvaluateForm, adapter_key: str):
    if form.cleaned_data.get("dataset"):
        return dataset_get(user=request.user, dataset_id=form.cleaned_data["dataset"])
    staged = staged_dataset_file(form.cleaned_data["file"])
    # The same checks, limits and messages as a training dataset's upload.
    return dataset_create(owner=request.user, staged=staged, adapter_key=adapter_key)


@login_required
def evaluation_detail(request: HttpRequest, evaluation_id: str) -> HttpResponse:
    evaluation = evaluation_get(user=request.user, evaluation_id=evaluation_id)
    template = (
        "catalog/_evaluation_panel.html"
        if request.GET.get("panel")
        else "catalog/evaluation_detail.html"
    )
    # Access may have gone since: the model is then "a private model", as everywhere.
    visible = sight_of(request.user).sees(evaluation.version.model)
    return render(request, template, {"evaluation": evaluation, "visible": visible})
