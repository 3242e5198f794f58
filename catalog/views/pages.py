"""Server-rendered pages. Thin: same selectors and services as the API."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from catalog import selectors
from catalog.ancestry import lineage_page_context
from catalog.errors import HubError, RepoMoved
from catalog.evaluation.selectors import evaluation_page_context
from catalog.finetune.options import finetune_options
from catalog.finetune.selectors import jobs_for_base
from catalog.forms import ModelCreateForm, VersionUploadForm
from catalog.permissions import model_can_admin, model_can_write, writable_namespaces
from catalog.search.params import search_query
from catalog.search.presenters import facet_groups, highlights, no_result_hints
from catalog.services.models import model_create
from catalog.services.quotas import quota_check_bytes
from catalog.services.versions import OnHead, version_publish
from catalog.snippets import model_snippets
from catalog.staging import staged_from_uploads

SORT_LABELS = {
    "relevance": "Best match",
    "downloads": "Most downloaded",
    "trending": "Trending",
    "likes": "Most liked",
    "updated": "Recently updated",
    "created": "Newest",
}


def home(request: HttpRequest) -> HttpResponse:
    lists = selectors.home_lists(user=request.user)
    return render(
        request,
        "catalog/home.html",
        {
            "sections": lists.sections,
            "task_counts": lists.task_counts,
            "model_count": lists.model_count,
        },
    )


def model_index(request: HttpRequest) -> HttpResponse:
    """The search page: facets with counts, sorts, cursor paging, highlights. With
    `partial=1` it returns only the results block (the page updates it as you type)."""
    try:  # bad parameters or a cursor from another sort: a 400 page that says so
        query = search_query(request.GET, request.user)
        page, models = selectors.models_search(query)
    except HubError as exc:
        return render(request, "catalog/search.html", {"error": exc.message}, status=400)
    params = request.GET.copy()
    params.pop("partial", None)
    next_params = params.copy()
    next_params["cursor"] = page.next_cursor or ""
    context = {
        "query": query,
        "page": page,
        "models": models,
        "search": query.text,
        "groups": facet_groups(page, query, params),
        "hints": no_result_hints(query, params) if not models and query.filters else [],
        "marks": highlights(models, page.corrected_text or query.text),
        "exact_limit": settings.HUB_SEARCH_EXACT_LIMIT,
        "next_url": f"?{next_params.urlencode()}" if page.next_cursor else "",
        "first_url": "?" + _without_cursor(params) if query.cursor else "",
        "sorts": SORT_LABELS,
        "sort": query.sort,
        "params": params,
    }
    template = (
        "catalog/_search_results.html" if request.GET.get("partial") else "catalog/search.html"
    )
    return render(request, template, context)


def _without_cursor(params) -> str:
    copy = params.copy()
    copy.pop("cursor", None)
    return copy.urlencode()


def model_detail(
    request: HttpRequest, owner: str, name: str, revision: str = "main"
) -> HttpResponse:
    try:
        model, version = selectors.model_and_version(
            user=request.user, owner=owner, name=name, revision=revision
        )
    except RepoMoved as exc:
        return redirect(exc.location(request.get_full_path()), permanent=False)
    return render(
        request,
        "catalog/model_detail.html",
        {
            "model": model,
            "version": version,
            "revision": revision,
            "files": selectors.version_files(version) if version else [],
            **lineage_page_context(user=request.user, model=model, version=version),
            **evaluation_page_context(user=request.user, model=model, version=version),
            "derivatives": selectors.model_derivatives(model=model, user=request.user)[:20],
            "aliases": selectors.model_aliases(model),
            "can_write": model_can_write(user=request.user, model=model),
            "can_admin": model_can_admin(user=request.user, model=model),
            "liked": selectors.user_likes_model(user=request.user, model=model),
            "finetune": finetune_options(version),
            "my_jobs": jobs_for_base(user=request.user, model=model),
            "snippets": model_snippets(
                model=model,
                version=version if revision == "main" else selectors.version_latest(model),
                endpoint=request.build_absolute_uri("/"),
            ),
        },
    )


@login_required
def model_new(request: HttpRequest) -> HttpResponse:
    form = ModelCreateForm(request.POST or None, namespaces=writable_namespaces(request.user))
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        name = fields.pop("name")
        namespace = form.namespaces[fields.pop("namespace")]
        try:
            model = model_create(user=request.user, name=name, namespace=namespace, **fields)
        except HubError as exc:
            form.add_error("name" if exc.status in (400, 409) else None, exc.message)
        else:
            messages.success(request, f"Created {model.full_name}. Upload its first files.")
            return redirect("model-upload", owner=model.namespace.name, name=model.name)
    return render(
        request, "catalog/model_new.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
def version_upload(request: HttpRequest, owner: str, name: str) -> HttpResponse:
    model = selectors.model_get(user=request.user, owner=owner, name=name)
    if not model_can_write(user=request.user, model=model):
        raise Http404("No such model.")
    try:
        form = VersionUploadForm(request.POST or None, request.FILES or None)
        valid = request.method == "POST" and form.is_valid()
    except HubError as exc:  # e.g. a file over the size limit, refused while it streamed in
        form = VersionUploadForm()
        form.add_error(None, exc.message)
        return render(
            request,
            "catalog/version_upload.html",
            {"form": form, "model": model},
            status=exc.status,
        )
    if valid:
        try:
            version = _publish_from_form(request, model, form)
        except (HubError, ValidationError) as exc:
            form.add_error("files", getattr(exc, "message", str(exc)))
        else:
            messages.success(request, f"Published v{version.number} of {model.full_name}.")
            return redirect("model-detail", owner=owner, name=name)
    status = 400 if form.errors else 200
    return render(
        request, "catalog/version_upload.html", {"form": form, "model": model}, status=status
    )


def _publish_from_form(request, model, form):
    staged = staged_from_uploads(form.cleaned_data["files"])
    quota_check_bytes(user=request.user, adding=sum(file.size for file in staged))
    return version_publish(
        model=model,
        files=staged,
        author=request.user,
        message=form.cleaned_data["message"],
        on_head=OnHead.REPLACE if form.cleaned_data["replace"] else OnHead.ADD,
    )
