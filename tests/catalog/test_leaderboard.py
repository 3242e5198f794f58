"""The leaderboard on a base model's page (issue 14, item 6): derived versions per dataset
with their interval and procedure, as the viewer may see them."""

from __future__ import annotations

import pytest
from django.test import Client

from adapters.evaluation import classification_report
from catalog.models import Evaluation, Version
from catalog.services.models import model_create
from catalog.services.orgs import org_create

pytestmark = pytest.mark.django_db
LABELS = ["cat", "dog", "fox"]


def report(correct: int, n: int = 30, kind: str = "cv", **procedure) -> dict:
    """A real report: the first `correct` of `n` examples right, the rest wrong."""
    truth = [i % 3 for i in range(n)]
    predicted = [t if i < correct else (t + 1) % 3 for i, t in enumerate(truth)]
    return classification_report(
        truth,
        predicted,
        LABELS,
        procedure={"kind": kind, "folds": 5 if kind == "cv" else None, **procedure},
        baselines=[{"name": "majority", "y_pred": [0] * n}],
    )


def derived(publish, user, name: str, parent: Version, metrics: dict, **fields) -> Version:
    model = model_create(user=user, name=name, **fields)
    return publish(
        model, {"notes.txt": name.encode()}, parent=parent, metrics=metrics,
        origin=Version.Origin.FINETUNE,
    )  # fmt: skip


def page_as(user, path: str) -> str:
    client = Client()
    if user is not None:
        client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def base(alice, publish) -> Version:
    return publish(model_create(user=alice, name="base"), {"notes.txt": b"base"})


def test_derived_versions_are_ranked_with_interval_and_procedure(alice, bob, base, publish):
    metrics = {"estimate": report(21), "test_set": None}
    derived(publish, bob, "ft-fair", base, metrics, datasets=["pets"])
    derived(publish, alice, "ft-good", base, {**metrics, "estimate": report(27)}, datasets=["pets"])
    html = page_as(None, "/alice/base")
    assert 'id="leaderboard"' in html
    good, fair = html.index("alice/ft-good v1"), html.index("bob/ft-fair v1")
    assert good < fair  # best accuracy first
    assert "90.0 % [" in html and "70.0 % [" in html
    assert "5-fold CV estimate of the procedure that trained this model, n=30" in html


def test_a_private_derived_version_is_not_listed_for_others(alice, bob, base, publish):
    derived(publish, alice, "ft-public", base, {"estimate": report(24)})
    derived(publish, bob, "ft-secret", base, {"estimate": report(29)}, private=True)
    for viewer in (None, alice):
        html = page_as(viewer, "/alice/base")
        assert "alice/ft-public v1" in html
        assert "ft-secret" not in html and "96.7 %" not in html
    assert "bob/ft-secret v1" in page_as(bob, "/alice/base")


def test_private_ancestors_are_not_named(alice, make_user, publish):
    """A derived model of a private base, itself public: its leaderboard lists its own
    derivatives and never names the private base."""
    carol = make_user("carol")
    lab = org_create(user=carol, name="carol-lab")
    secret = publish(
        model_create(user=carol, name="secret-base", namespace=lab, private=True),
        {"notes.txt": b"secret"},
    )
    middle = derived(publish, carol, "open-ft", secret, {"estimate": report(20)})
    derived(publish, alice, "grand-ft", middle, {"estimate": report(25)})
    html = page_as(alice, "/carol/open-ft")
    assert "alice/grand-ft v1" in html and 'id="leaderboard"' in html
    assert "secret-base" not in html and "carol-lab" not in html


def test_own_evaluations_join_their_dataset_board(alice, bob, base, publish, tmp_path):
    from catalog.blobs import stage_local_file
    from catalog.services.datasets import dataset_create

    ft = derived(publish, alice, "ft", base, {"estimate": report(24)})
    path = tmp_path / "pets.csv"
    path.write_text("text,label\n" + "".join(f"t{i},{LABELS[i % 3]}\n" for i in range(9)))
    dataset = dataset_create(
        owner=alice, staged=stage_local_file("pets.csv", path), adapter_key="text-classification"
    )
    for version, correct in ((base, 10), (ft, 28)):
        Evaluation.objects.create(
            owner=alice, version=version, dataset=dataset, status="succeeded",
            report=report(correct, kind="evaluation", description="evaluation on pets.csv"),
        )  # fmt: skip
    html = page_as(alice, "/alice/base")
    board = html[html.index('data-dataset="pets.csv"') :]
    board = board[: board.index("</table>")]
    assert board.index("alice/ft v1") < board.index("alice/base v1")  # 93.3 % before 33.3 %
    assert board.count("your evaluation") == 2
    assert "pets.csv" not in page_as(bob, "/alice/base")  # evaluations are their owner's
