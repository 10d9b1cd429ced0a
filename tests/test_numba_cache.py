"""numba's cache folder: memelite's compiled TOMTOM and FIMO need one that can be written."""

from __future__ import annotations

from pathlib import Path

import pytest

from motifnet import _numba


@pytest.fixture
def settings(monkeypatch, tmp_path):
    """numba's settings as the test leaves them are those it found (read again after the environment is put back)."""
    from numba.core import config

    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.setattr(_numba.tempfile, "tempdir", str(tmp_path))
    yield config
    monkeypatch.undo()
    config.reload_config()


def test_a_read_only_install_and_home_get_a_cache_folder_of_their_own(settings, monkeypatch, tmp_path):
    """scan, visualize-kernels and compare ended in a traceback ('cannot cache function ...: no locator
    available') where neither memelite's folder nor the home could be written (shared HPC modules, containers)."""
    monkeypatch.setattr(_numba, "_can_write", lambda folder: False)
    _numba.numba_cache.__wrapped__()
    folder = Path(_numba.os.environ["NUMBA_CACHE_DIR"])
    assert folder.parent == tmp_path and folder.name.startswith("motifnet-numba-") and folder.is_dir()
    assert settings.CACHE_DIR == str(folder)


def test_a_writable_place_or_the_users_own_setting_is_left_alone(settings, monkeypatch, tmp_path):
    tried = []
    monkeypatch.setattr(_numba, "_can_write", lambda folder: tried.append(folder) or True)
    _numba.numba_cache.__wrapped__()
    assert "NUMBA_CACHE_DIR" not in _numba.os.environ
    assert tried and tried[0].parts[-2:] == ("memelite", "__pycache__")
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "mine"))
    monkeypatch.setattr(_numba, "_can_write", lambda folder: False)
    _numba.numba_cache.__wrapped__()
    assert _numba.os.environ["NUMBA_CACHE_DIR"] == str(tmp_path / "mine")


def test_can_write_makes_a_missing_folder_and_says_no_for_a_file(tmp_path):
    assert _numba._can_write(tmp_path / "new" / "cache") and (tmp_path / "new" / "cache").is_dir()
    (tmp_path / "file").write_text("")
    assert not _numba._can_write(tmp_path / "file" / "cache")
