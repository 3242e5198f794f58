"""The dataset step of "Fine-tune on my data": upload (naming the columns when they have no
usual names), the review's column picker, and what the review shows of data and settings."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.forms import BoundField, Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from adapters.base import STRATEGIES
from catalog.errors import HubError
from catalog.finetune.params_help import ParamHelp, params_help
from catalog.finetune.review import dataset_review
from catalog.finetune.selectors import dataset_get, dataset_id_parse
from catalog.forms import DatasetUploadForm
from catalog.models import Dataset
from catalog.services.datasets import (
    DatasetColumnsNeeded,
    adapter_get,
    dataset_columns_choose,
    dataset_columns_param,
    dataset_create,
)
from catalog.staging import staged_dataset_file


def dataset_upload(request: HttpRequest, context: dict) -> HttpResponse:
    form = DatasetUploadForm(
        request.POST, request.FILES, adapter_choices=context["options"].choices
    )
    if form.is_valid():
        try:
            columns = dataset_columns_param(
                form.cleaned_data.get("text_column"), form.cleaned_data.get("label_column")
            )
            staged = staged_dataset_file(form.cleaned_data["file"])
            dataset = dataset_create(
                owner=request.user,
                staged=staged,
                adapter_key=form.cleaned_data["adapter"],
                columns=columns,
            )
        except DatasetColumnsNeeded as exc:
            form.columns_offer(exc.found)
            form.add_error("file", f"{exc.message} Then choose the file again.")
        except HubError as exc:
            form.add_error("file", exc.message)
        else:
            return redirect(f"{request.path}?dataset={dataset.pk}")
    context["upload_form"] = form
    return render(request, "catalog/finetune_start.html", context, status=400)


def dataset_columns(request: HttpRequest) -> HttpResponse:
    """The review's "use other columns": the upload read again, as a new dataset."""
    dataset_id = dataset_id_parse(request.POST.get("columns_of", ""))
    dataset = dataset_get(user=request.user, dataset_id=dataset_id or 0)
    try:
        columns = dataset_columns_param(
            request.POST.get("text_column"), request.POST.get("label_column")
        )
        if columns is None:
            raise HubError("Pick the text column and the label column.")
        chosen = dataset_columns_choose(owner=request.user, dataset=dataset, columns=columns)
    except HubError as exc:
        messages.error(request, exc.message)
        return redirect(f"{request.path}?dataset={dataset.pk}")
    return redirect(f"{request.path}?dataset={chosen.pk}")


@dataclass(frozen=True)
class SettingRow:
    """A field of the training settings, with its explanation where it has one."""

    field: BoundField
    help: ParamHelp | None
    applies: str  # space-separated strategies it applies to; "" for all


def review_context(dataset: Dataset, form: Form) -> dict:
    """The review page's data and settings explained (no file is read)."""
    try:
        helps = params_help(adapter_get(str(dataset.summary.get("adapter", ""))))
    except HubError:
        helps = {}
    rows = []
    for field in form.visible_fields():
        help_ = helps.get(field.name)
        partial = help_ is not None and tuple(help_.strategies) != STRATEGIES
        rows.append(SettingRow(field, help_, " ".join(help_.strategies) if partial else ""))
    defaults = {
        name: {strategy: str(value) for strategy, value in help_.defaults.items()}
        for name, help_ in helps.items()
        if help_.defaults
    }
    return {"review": dataset_review(dataset), "settings": rows, "param_defaults": defaults}
