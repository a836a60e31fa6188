"""The remembered job lists: keyed without IDs, bounded, held jobs kept."""

from __future__ import annotations

from datetime import UTC, datetime
import hashlib

from custom_components.ezeep.job_lists import LatestLists
from custom_components.ezeep.tpfm import Job, JobList

WHEN = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def key(user_id: str) -> bytes:
    """A keyed hash like the store's ``id_hash`` (the key is fixed for the test)."""
    return hashlib.blake2b(user_id.encode(), key=b"test-key", digest_size=16).digest()


def job(name: str, *, held: bool = False) -> Job:
    """A job as GetJobList tells it."""
    return Job(name, 10, WHEN, WHEN, 0, "0", name, " ", on_hold=held)


def test_remember_and_get() -> None:
    """A list is found by the user ID; the ID itself is not kept."""
    lists = LatestLists(key)
    assert lists.get("card-1") is None
    lists.remember("card-1", JobList((job("a"),), visible=True), with_held=True)
    latest = lists.get("card-1")
    assert latest is not None
    assert latest.visible
    assert list(latest.jobs) == ["a"]
    assert "card-1" not in repr(vars(lists)) + repr(list(lists._lists))


def test_bounded() -> None:
    """The least recently read lists are dropped first."""
    lists = LatestLists(key, size=2)
    for user in ("u1", "u2", "u3"):
        lists.remember(user, JobList((), visible=False), with_held=True)
    assert len(lists) == 2
    assert lists.get("u1") is None
    assert lists.get("u3") is not None


def test_held_jobs_kept_by_a_list_without_them() -> None:
    """A read without held jobs keeps the held ones known; a full read replaces them."""
    lists = LatestLists(key)
    full = JobList((job("a"), job("h", held=True)), visible=True)
    lists.remember("u", full, with_held=True)
    lists.remember("u", JobList((job("b"),), visible=True), with_held=False)
    latest = lists.get("u")
    assert latest is not None
    assert sorted(latest.jobs) == ["b", "h"]
    lists.remember("u", JobList((job("b"),), visible=True), with_held=True)
    latest = lists.get("u")
    assert latest is not None
    assert list(latest.jobs) == ["b"]


def test_forget_and_hold() -> None:
    """A deleted job is forgotten; a held one is noted; unknown people are ignored."""
    lists = LatestLists(key)
    lists.forget_job("nobody", "a")
    lists.set_held("nobody", "a", True)
    lists.remember("u", JobList((job("a"), job("b")), visible=True), with_held=True)
    lists.forget_job("u", "a")
    lists.set_held("u", "b", True)
    lists.set_held("u", "missing", True)
    latest = lists.get("u")
    assert latest is not None
    assert list(latest.jobs) == ["b"]
    assert latest.jobs["b"].on_hold
