"""Shared fixtures. Tests that read the raw corpus in ../shared skip when it is absent (a
user's clone has no ../shared); everything else runs on files the project ships."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def project_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not (SHARED / "corpus").is_dir():
        pytest.skip("../shared is absent (only on the project's own machines)")
    return SHARED


@pytest.fixture(scope="session")
def encoder(tmp_path_factory) -> Path:
    """A tiny random BERT with a character vocab (a few hundred KB), built once per run."""
    from helpers import tiny_encoder

    return tiny_encoder(tmp_path_factory.mktemp("encoder"))
