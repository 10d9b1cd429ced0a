"""numba's cache folder: memelite's compiled TOMTOM and FIMO need one that can be written."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from motifnet import _numba

INITIAL = os.environ.get("NUMBA_CACHE_DIR")  # as the session had it before these tests


@pytest.fixture
def settings(monkeypatch, tmp_path):
    """numba's settings as the test leaves them are those it found (read again after the environment is put back)."""
    from numba.core import config

    monkeypatch.setenv("NUMBA_CACHE_DIR", "")  # recorded, so that undo() puts back what was there (or nothing)
    monkeypatch.delenv("NUMBA_CACHE_DIR")
    monkeypatch.setattr(_numba.tempfile, "tempdir", str(tmp_path))
    yield config
    monkeypatch.undo()
    config.reload_config()


def test_a_read_only_install_and_home_get_a_cache_folder_of_their_own(settings, monkeypatch, tmp_path):
    """scan, visualize-kernels and compare ended in a traceback ('cannot cache function ...: no locator
    available') where neither memelite's folder nor the home could be written (shared HPC modules, containers)."""
    monkeypatch.setattr(_numba, "_can_write", lambda folder: False)
    _numba.numba_cache.__wrapped__()
    folder = Path(os.environ["NUMBA_CACHE_DIR"])
    assert folder.parent == tmp_path and folder.name.startswith("motifnet-numba-") and folder.is_dir()
    assert settings.CACHE_DIR == str(folder)


def test_a_writable_place_or_the_users_own_setting_is_left_alone(settings, monkeypatch, tmp_path):
    tried = []
    monkeypatch.setattr(_numba, "_can_write", lambda folder: tried.append(folder) or True)
    _numba.numba_cache.__wrapped__()
    assert "NUMBA_CACHE_DIR" not in os.environ
    assert tried and tried[0].parts[-2:] == ("memelite", "__pycache__")
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "mine"))
    monkeypatch.setattr(_numba, "_can_write", lambda folder: False)
    _numba.numba_cache.__wrapped__()
    assert os.environ["NUMBA_CACHE_DIR"] == str(tmp_path / "mine")


def test_can_write_makes_a_missing_folder_and_says_no_for_a_file(tmp_path):
    assert _numba._can_write(tmp_path / "new" / "cache") and (tmp_path / "new" / "cache").is_dir()
    (tmp_path / "file").write_text("")
    assert not _numba._can_write(tmp_path / "file" / "cache")


def test_the_environment_is_as_it_was_after_these_tests():
    """The fixture left NUMBA_CACHE_DIR set for every later test (memelite then compiled again, ~50 s)."""
    assert os.environ.get("NUMBA_CACHE_DIR") == INITIAL


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="user ids: POSIX")
def test_a_folder_another_user_could_write_is_not_used(settings, monkeypatch, tmp_path):
    """numba reads its cache index with pickle: a folder of that name made by another user (or open to others)
    in a shared temporary folder could hold code that runs as this user."""
    monkeypatch.setattr(_numba, "_can_write", lambda folder: False)
    planted = tmp_path / f"motifnet-numba-{os.getuid()}"
    planted.mkdir()
    planted.chmod(0o777)
    _numba.numba_cache.__wrapped__()
    chosen = Path(os.environ["NUMBA_CACHE_DIR"])
    assert chosen != planted and chosen.parent == tmp_path and chosen.name.startswith("motifnet-numba-")
    assert not chosen.stat().st_mode & 0o077
    planted.rmdir()
    planted.write_text("a file")
    monkeypatch.delenv("NUMBA_CACHE_DIR")
    _numba.numba_cache.__wrapped__()  # a file of that name: a folder of its own, no FileExistsError
    assert Path(os.environ["NUMBA_CACHE_DIR"]) not in (planted, chosen)
