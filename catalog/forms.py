from __future__ import annotations

from django import forms

from catalog.finetune.params_help import params_applicable
from catalog.vocab import LICENSES, SOURCE_DOMAINS, TASKS


class ModelCreateForm(forms.Form):
    namespace = forms.ChoiceField(label="Owner")
    name = forms.CharField(max_length=96, help_text="Letters, digits, '-', '_' and '.'.")
    summary = forms.CharField(max_length=300, required=False)
    task = forms.ChoiceField(choices=list(TASKS.items()), initial="other", required=False)
    source_domain = forms.ChoiceField(
        choices=list(SOURCE_DOMAINS.items()),
        initial="other",
        required=False,
        label="Source domain (what data it learned from)",
    )
    library = forms.CharField(max_length=40, required=False)
    license = forms.ChoiceField(choices=list(LICENSES.items()), initial="apache-2.0")
    datasets = forms.CharField(required=False, help_text="Comma-separated dataset ids.")
    languages = forms.CharField(required=False, help_text="Comma-separated, e.g. en, de.")
    tags = forms.CharField(required=False, help_text="Comma-separated.")
    visibility = forms.ChoiceField(
        choices=[
            ("public", "Public: anyone can see and download it"),
            ("private", "Private: only you (or the organization's members) can see it"),
        ],
        initial="public",
        required=False,
        widget=forms.RadioSelect,
    )
    card = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 10}), required=False, label="Model card (Markdown)"
    )
    # What the short form shows; the rest sits under "More details" (the Hub asks for these).
    ESSENTIAL = ("namespace", "name", "license", "visibility")

    def __init__(self, *args, namespaces, **kwargs):
        super().__init__(*args, **kwargs)
        self.namespaces = {n.name: n for n in namespaces}
        self.fields["namespace"].choices = [(name, name) for name in self.namespaces]

    def clean(self):
        data = super().clean()
        data["private"] = data.pop("visibility", "") == "private"
        for key in ("task", "source_domain"):  # optional on the short form
            data[key] = data.get(key) or "other"
        return data

    def essential_fields(self):
        return [self[name] for name in self.ESSENTIAL]

    def more_fields(self):
        return [field for field in self.visible_fields() if field.name not in self.ESSENTIAL]

    def more_has_errors(self) -> bool:
        return any(field.errors for field in self.more_fields())


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class VersionUploadForm(forms.Form):
    files = MultipleFileField(label="Files")
    message = forms.CharField(max_length=5000, required=False, label="What changed?")
    replace = forms.BooleanField(
        required=False, label="Replace all files (otherwise unchanged files carry over)"
    )


class TokenCreateForm(forms.Form):
    name = forms.CharField(max_length=100)
    # Read first and by default: a leaked read token cannot change anything.
    scope = forms.ChoiceField(
        choices=[
            ("read", "read: download public and private models you can see"),
            ("write", "write: also create models and upload versions"),
        ],
        initial="read",
        widget=forms.RadioSelect,
    )


class SignupForm(forms.Form):
    username = forms.CharField(
        max_length=96,
        help_text="Letters, digits, '-', '_' and '.'; it becomes your namespace.",
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    email = forms.EmailField(
        required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        min_length=8,
        help_text="At least 8 characters, not a common password.",
    )


class DatasetUploadForm(forms.Form):
    file = forms.FileField(
        label="Dataset",
        help_text="Text: CSV or JSON Lines with a text column and a label column (found by "
        "name: text, sentence, content ... and label, category, class ...; the next page says "
        "which were used). Images: a ZIP with one folder of images per class.",
    )
    adapter = forms.ChoiceField(label="Adapter")
    text_column = forms.CharField(
        max_length=200,
        required=False,
        label="Text column",
        help_text="Text datasets only. Blank: the column with a usual name.",
    )
    label_column = forms.CharField(max_length=200, required=False, label="Label column")
    COLUMN_FIELDS = ("text_column", "label_column")

    def __init__(self, *args, adapter_choices: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["adapter"].choices = adapter_choices

    def columns_offer(self, found: list[str]) -> None:
        """The file's columns as choices, once detection found no usual names."""
        for name in self.COLUMN_FIELDS:
            choices = [("", "— choose —"), *[(column, column) for column in found]]
            self.fields[name].widget = forms.Select(choices=choices)
        self.columns_needed = True

    def column_fields(self):
        return [self[name] for name in self.COLUMN_FIELDS]

    def main_fields(self):
        return [field for field in self.visible_fields() if field.name not in self.COLUMN_FIELDS]


class FineTuneForm(forms.Form):
    dataset = forms.IntegerField(widget=forms.HiddenInput)
    adapter = forms.CharField(widget=forms.HiddenInput)
    strategy = forms.ChoiceField(
        choices=[
            ("head-only", "Head only: frozen model, new head (fastest, stores kilobytes)"),
            ("lora", "LoRA: small low-rank updates inside the model (peft adapter)"),
            ("last-k", "Head + the last layers of the model"),
            ("full", "Full: every weight trains (slowest, stores a whole model)"),
        ],
        help_text="Blank fields below take the chosen strategy's defaults.",
    )
    unfreeze_layers = forms.IntegerField(
        min_value=1,
        max_value=64,
        required=False,
        label="Layers to unfreeze (last layers only)",
        help_text="How many of the model's last layers train with the head. Default 2.",
    )
    epochs = forms.IntegerField(
        min_value=1,
        max_value=500,
        required=False,
        help_text="Passes over the training data. Default 30 for head only, 4 to 10 otherwise.",
    )
    learning_rate = forms.FloatField(
        min_value=1e-6,
        max_value=1,
        required=False,
        help_text="Step size for the new head. Default 0.01 for head only, 0.001 to 0.002 "
        "otherwise.",
    )
    batch_size = forms.IntegerField(
        min_value=1, max_value=1024, required=False, help_text="Examples per step."
    )
    evaluation = forms.ChoiceField(
        choices=[
            ("auto", "Automatic: cross-validation on small datasets, a hold-out split on large"),
            ("holdout", "Hold-out split: the model trains on the rest and is measured as is"),
            ("cv", "Cross-validation, whatever the size (slower for strategies beyond head only)"),
        ],
        required=False,
        label="How to measure it",
        help_text="Figures always come with their 95% interval and baselines.",
    )
    validation_split = forms.FloatField(
        min_value=0.05,
        max_value=0.5,
        required=False,
        help_text="Share of examples a hold-out split measures on. Default 0.2.",
    )
    test_file = forms.FileField(
        required=False,
        label="Your test set (optional)",
        help_text="Labelled examples in the same format as the dataset, with labels among "
        "its labels. Never trained on; its figures are reported separately, first.",
    )
    seed = forms.IntegerField(
        min_value=0,
        max_value=2**31 - 1,
        required=False,
        help_text="The same data and seed give the same model.",
    )
    target_name = forms.CharField(max_length=96, required=False, label="New model name")
    private = forms.BooleanField(required=False, label="Make the new model private")
    publish_to_base = forms.BooleanField(
        required=False, label="Publish as the next version of this model instead"
    )

    PARAM_FIELDS = (
        "strategy",
        "unfreeze_layers",
        "epochs",
        "learning_rate",
        "batch_size",
        "evaluation",
        "validation_split",
        "seed",
    )

    def params(self) -> dict:
        """Only what the user filled in and the strategy uses: the rest comes from the
        strategy's defaults."""
        values = {key: self.cleaned_data.get(key) for key in self.PARAM_FIELDS}
        return params_applicable(
            {key: value for key, value in values.items() if value not in (None, "")}
        )


class OrgCreateForm(forms.Form):
    name = forms.CharField(max_length=96, help_text="Becomes the namespace: /name/model.")


class MemberForm(forms.Form):
    username = forms.CharField(max_length=150)
    role = forms.ChoiceField(choices=[("read", "read"), ("write", "write"), ("admin", "admin")])


class ForkForm(forms.Form):
    namespace = forms.ChoiceField(label="Into")
    name = forms.CharField(max_length=96, label="New model name")
    private = forms.BooleanField(required=False, label="Make the fork private")

    def __init__(self, *args, namespaces, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["namespace"].choices = [(n.name, n.name) for n in namespaces]
