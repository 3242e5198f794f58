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
            ("head-only", "Head only (frozen backbone, fastest)"),
            ("last-k", "Head + last layers of the backbone"),
        ],
    )
    unfreeze_layers = forms.IntegerField(min_value=1, max_value=64, label="Layers to unfreeze")
    epochs = forms.IntegerField(min_value=1, max_value=500)
    learning_rate = forms.FloatField(min_value=1e-6, max_value=1)
    batch_size = forms.IntegerField(min_value=1, max_value=1024)
    validation_split = forms.FloatField(min_value=0.05, max_value=0.5)
    seed = forms.IntegerField(min_value=0, max_value=2**31 - 1)
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
        return {key: self.cleaned_data[key] for key in self.PARAM_FIELDS}


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
