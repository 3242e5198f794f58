"""The card editor: edit README.md (front matter as fields, Markdown with a live preview) and
save it as a new version, as a commit of README.md would be."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from catalog import selectors
from catalog.card_form import CardEditForm
from catalog.errors import HubError, PayloadTooLarge, PreconditionFailed
from catalog.models import Model
from catalog.permissions import model_can_write
from catalog.ratelimit import client_id, over_limit
from catalog.services.card_edit import card_compose, card_draft, card_field_values, card_save
from catalog.services.cards import card_size_check
from catalog.templatetags.hub import card_page_html

# Each preview renders at most a card's size (card_size_check) within markdown's CPU budget;
# typing pauses send one a second at most (the page waits 400 ms after the last key).
PREVIEWS_PER_MINUTE = 120


@login_required
def card_edit(request: HttpRequest, owner: str, name: str) -> HttpResponse:
    model = _writable_model(request, owner, name)
    try:
        draft = card_draft(model=model, user=request.user)
    except HubError as exc:  # a README.md over the card limit: say so instead of editing it
        messages.error(request, exc.message)
        return redirect("model-detail", owner=owner, name=name)
    initial = {
        **card_field_values(draft),
        "body": draft.body,
        "parent": draft.head.revision if draft.head else "",
    }
    form = CardEditForm(request.POST or None, initial=initial)
    context = {"model": model, "form": form, "draft": draft}
    if request.method != "POST" or not form.is_valid():
        return render(request, "catalog/card_edit.html", context, status=_status(form))
    body, changed = form.cleaned_data["body"], form.changed_fields()
    if draft.from_readme and not changed and body.strip() == draft.body.strip():
        messages.info(request, "The card is unchanged, so no version was made.")
        return redirect("model-detail", owner=owner, name=name)
    text = card_compose(draft=draft, changed=changed, body=body, model=model)
    try:
        version = card_save(
            model=model,
            user=request.user,
            text=text,
            message=form.cleaned_data["message"],
            parent_revision=form.cleaned_data["parent"],
        )
    except PreconditionFailed:
        return _moved_on(request, model, form, context)
    except HubError as exc:
        form.add_error(None, exc.message)
        return render(request, "catalog/card_edit.html", context, status=exc.status)
    messages.success(request, f"Saved the card as v{version.number}.")
    page = reverse("model-detail", kwargs={"owner": owner, "name": name})
    return redirect(f"{page}#v{version.number}")


@login_required
@require_POST
def card_preview(request: HttpRequest, owner: str, name: str) -> HttpResponse:
    """The card's Markdown as the model page renders it (sanitised, cost-bounded)."""
    model = _writable_model(request, owner, name)
    if over_limit(f"card-preview:{client_id(request)}", limit=PREVIEWS_PER_MINUTE, window=60):
        return HttpResponse("Too many previews; the next one works in a minute.", status=429)
    text = request.POST.get("body", "")
    try:
        card_size_check(len(text.encode("utf-8", "surrogatepass")))
    except PayloadTooLarge as exc:
        return HttpResponse(exc.message, status=exc.status)
    return HttpResponse(card_page_html(text, model.name))


def _moved_on(request, model: Model, form: CardEditForm, context: dict) -> HttpResponse:
    """Another version came first: keep the user's text, aim the next save at the new head."""
    head = selectors.version_latest(model)
    form.data = form.data.copy()
    form.data["parent"] = head.revision if head else ""
    form.add_error(
        None,
        f"v{head.number if head else '?'} was published while you edited; its card may differ "
        "from the one you started from. Your text is kept below: compare it with the model "
        "page, then save again to publish it on top.",
    )
    return render(request, "catalog/card_edit.html", context, status=409)


def _writable_model(request: HttpRequest, owner: str, name: str) -> Model:
    model = selectors.model_get(user=request.user, owner=owner, name=name)
    if not model_can_write(user=request.user, model=model):
        raise Http404("No such model.")  # as for anything else one may not change
    return model


def _status(form: CardEditForm) -> int:
    return 400 if form.is_bound and form.errors else 200
