"""The Evaluate page's form: upload a labelled dataset, or pick one uploaded before."""

from __future__ import annotations

from django import forms

from catalog.models import Dataset


class EvaluateForm(forms.Form):
    file = forms.FileField(required=False, label="Upload a labelled dataset")
    dataset = forms.TypedChoiceField(
        required=False, coerce=int, empty_value=None, label="Or use one of your datasets"
    )

    def __init__(self, *args, datasets: list[Dataset], upload_hint: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = f"{upload_hint[:1].upper()}{upload_hint[1:]}."
        self.fields["dataset"].choices = [("", "—")] + [
            (d.pk, f"{d.name} ({d.summary.get('rows', '?')} examples, {d.created_at:%Y-%m-%d})")
            for d in datasets
        ]
        if not datasets:
            del self.fields["dataset"]

    def clean(self):
        data = super().clean()
        if bool(data.get("file")) == bool(data.get("dataset")):
            raise forms.ValidationError(
                "Upload a dataset file or pick one of yours (one of the two)."
            )
        return data
