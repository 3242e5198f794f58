"""Concurrent commits through the real client against PostgreSQL: they compose like git
commits on one branch. Every file of every successful commit is in `main`, the lineage is a
chain, and of N commits guarded by the same `parent_commit` exactly one wins."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable

import pytest
from django.db import connection
from huggingface_hub import CommitOperationAdd, HfApi
from huggingface_hub.errors import HfHubHTTPError

from catalog.models import Version

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

RACERS = 20


def race(count: int, work: Callable[[int], object]) -> tuple[list, list[BaseException]]:
    """Run `work(i)` for i < count in threads released together; results and errors."""
    results: list = []
    errors: list[BaseException] = []
    start = threading.Barrier(count)

    def run(index: int) -> None:
        try:
            start.wait()
            results.append(work(index))
        except BaseException as exc:  # collected for the assertions
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


@pytest.fixture
def repo(hf: HfApi, settings) -> str:
    settings.HUB_UPLOAD_RATE = "1000/60"  # the race, not the upload limit, is under test
    repo_id = hf.create_repo("alice/busy").repo_id
    hf.upload_file(path_or_fileobj=b"first\n", path_in_repo="base.txt", repo_id=repo_id)
    return repo_id


def versions_of(repo_id: str) -> list[Version]:
    owner, name = repo_id.split("/")
    return list(
        Version.objects.filter(model__namespace__name=owner, model__name=name).order_by("number")
    )


def test_parallel_commits_keep_every_file_and_a_chain(hf: HfApi, repo: str):
    def commit(index: int) -> str:
        info = hf.upload_file(
            path_or_fileobj=f"racer {index}\n".encode(),
            path_in_repo=f"racers/{index}.txt",
            repo_id=repo,
        )
        return info.oid

    results, errors = race(RACERS, commit)

    assert errors == []
    assert len(set(results)) == RACERS
    files = set(hf.list_repo_files(repo))
    assert files >= {"base.txt"} | {f"racers/{i}.txt" for i in range(RACERS)}
    versions = versions_of(repo)
    assert [v.number for v in versions] == list(range(1, RACERS + 2))
    # A chain: each version's parent is the one before it, and it holds all its files.
    for previous, version in itertools.pairwise(versions):
        assert version.parent_id == previous.pk
        before = set(previous.files.values_list("path", flat=True))
        after = set(version.files.values_list("path", flat=True))
        assert before < after and len(after - before) == 1


def test_one_winner_per_parent_commit(hf: HfApi, repo: str):
    head = hf.model_info(repo).sha

    def commit(index: int) -> str:
        operation = CommitOperationAdd(f"guarded/{index}.txt", f"guarded {index}\n".encode())
        info = hf.create_commit(
            repo, [operation], commit_message=f"racer {index}", parent_commit=head
        )
        return info.oid

    results, errors = race(RACERS, commit)

    assert len(results) == 1
    assert len(errors) == RACERS - 1
    for error in errors:
        assert isinstance(error, HfHubHTTPError), error
        assert error.response.status_code == 412
        assert "pull and commit again" in error.response.text
    versions = versions_of(repo)
    assert len(versions) == 2 and versions[1].revision == results[0]
    guarded = [path for path in hf.list_repo_files(repo) if path.startswith("guarded/")]
    assert len(guarded) == 1


def test_stale_parent_commit_and_vanished_deletions_are_refused(hf: HfApi, repo: str):
    """Nothing is made from a commit on an old head, or one deleting a file gone since."""
    hf.upload_file(path_or_fileobj=b"kept\n", path_in_repo="kept.txt", repo_id=repo)
    head = hf.model_info(repo).sha
    hf.delete_file("base.txt", repo_id=repo)
    with pytest.raises(HfHubHTTPError) as stale:
        hf.upload_file(
            path_or_fileobj=b"late\n", path_in_repo="late.txt", repo_id=repo, parent_commit=head
        )
    assert stale.value.response.status_code == 412
    with pytest.raises(HfHubHTTPError) as vanished:
        hf.delete_file("base.txt", repo_id=repo)
    assert vanished.value.response.status_code == 404
    assert len(versions_of(repo)) == 3
    assert set(hf.list_repo_files(repo)) == {"kept.txt"}
