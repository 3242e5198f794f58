"""The card editor's form: the front matter keys the hub reads as fields, the Markdown body."""

from __future__ import annotations

from django import forms

from catalog.services.card_edit import FIELD_KEYS
from catalog.vocab import LICENSES, SOURCE_DOMAINS, TASKS


class CardEditForm(forms.Form):
    pipeline_tag = forms.ChoiceField(
        label="Task (pipeline_tag)", help_text="What the model does; search filters by it."
    )
    license = forms.ChoiceField(label="License")
    library_name = forms.CharField(
        max_length=40,
        required=False,
        label="Library (library_name)",
        help_text="The library that loads it, e.g. transformers, sentence-transformers, timm.",
    )
    source_domain = forms.ChoiceField(label="Source domain", help_text="What data it learned from.")
    tags = forms.CharField(required=False, help_text="Comma-separated.")
    datasets = forms.CharField(required=False, help_text="Comma-separated dataset ids.")
    language = forms.CharField(required=False, help_text="Comma-separated codes, e.g. en, de.")
    body = forms.CharField(
        required=False,
        label="Card (Markdown)",
        widget=forms.Textarea(attrs={"rows": 22, "spellcheck": "true", "class": "card-source"}),
    )
    message = forms.CharField(
        max_length=5000,
        required=False,
        label="What changed?",
        widget=forms.TextInput(attrs={"placeholder": "Update the model card"}),
    )
    parent = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        vocabularies = {"pipeline_tag": TASKS, "license": LICENSES, "source_domain": SOURCE_DOMAINS}
        for key, vocabulary in vocabularies.items():
            choices = list(vocabulary.items())
            current = self.initial.get(key)
            if current and current not in vocabulary:  # keep what the YAML says, even if unknown
                choices.insert(0, (current, f"{current} (as written in the card)"))
            elif not current:
                choices.insert(0, ("", "— not set —"))
            self.fields[key].choices = choices
            self.fields[key].required = False

    def changed_fields(self) -> dict:
        """The front matter keys the user changed, with their new values."""
        return {key: self.cleaned_data[key] for key in FIELD_KEYS if key in self.changed_data}
