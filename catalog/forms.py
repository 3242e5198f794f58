from __future__ import annotations

from django import forms

from catalog.vocab import LICENSES, SOURCE_DOMAINS, TASKS


class ModelCreateForm(forms.Form):
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
