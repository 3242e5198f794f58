from __future__ import annotations

from django import forms

from catalog.vocab import LICENSES, SOURCE_DOMAINS, TASKS


class ModelCreateForm(forms.Form):
    namespace = forms.ChoiceField(label="Owner")
    name = forms.CharField(max_length=96, help_text="Letters, digits, '-', '_' and '.'.")
    summary = forms.CharField(max_length=300, required=False)
    task = forms.ChoiceField(choices=list(TASKS.items()), initial="other")
    source_domain = forms.ChoiceField(
        choices=list(SOURCE_DOMAINS.items()),
        initial="other",
        label="Source domain (what data it learned from)",
    )
    library = forms.CharField(max_length=40, required=False)
    license = forms.ChoiceField(choices=list(LICENSES.items()), initial="apache-2.0")
    datasets = forms.CharField(required=False, help_text="Comma-separated dataset ids.")
    languages = forms.CharField(required=False, help_text="Comma-separated, e.g. en, de.")
    tags = forms.CharField(required=False, help_text="Comma-separated.")
    private = forms.BooleanField(required=False, label="Private (only you can see it)")
    card = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 10}), required=False, label="Model card (Markdown)"
    )

    def __init__(self, *args, namespaces, **kwargs):
        super().__init__(*args, **kwargs)
        self.namespaces = {n.name: n for n in namespaces}
        self.fields["namespace"].choices = [(name, name) for name in self.namespaces]


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
    scope = forms.ChoiceField(choices=[("write", "write"), ("read", "read")], initial="write")


class SignupForm(forms.Form):
    username = forms.CharField(max_length=96)
    email = forms.EmailField(required=False)
    password = forms.CharField(widget=forms.PasswordInput, min_length=8)


class DatasetUploadForm(forms.Form):
    file = forms.FileField(
        label="Dataset",
        help_text="Text: CSV or JSON Lines with 'text' and 'label' columns. "
        "Images: a ZIP with one folder of images per class.",
    )
    adapter = forms.ChoiceField(label="Adapter")

    def __init__(self, *args, adapter_choices: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["adapter"].choices = adapter_choices


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
    validation_split = forms.FloatField(
        min_value=0.05,
        max_value=0.5,
        required=False,
        help_text="Share of examples held out to measure accuracy. Default 0.2.",
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
        "validation_split",
        "seed",
    )

    def params(self) -> dict:
        """Only what the user filled in: the rest comes from the strategy's defaults."""
        values = {key: self.cleaned_data.get(key) for key in self.PARAM_FIELDS}
        return {key: value for key, value in values.items() if value not in (None, "")}


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
