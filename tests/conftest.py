"""Fixtures shared by every test: real SQLite databases, never mocks."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlite_utils
from hypothesis import settings

from knowledge.base import KnowledgeBase
from knowledge.database import open_database

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# In CI the property tests draw the same examples every run, so a result does not
# depend on luck; on a developer's machine they keep exploring new ones.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "knowledge.db"


@pytest.fixture
def db(db_path: Path) -> Iterator[sqlite_utils.Database]:
    database = open_database(db_path)
    yield database
    database.close()


@pytest.fixture
def kb(db_path: Path) -> Iterator[KnowledgeBase]:
    """A knowledge base on a fresh on-disk database, loaded with the curated facts."""
    base = KnowledgeBase.open(db_path)
    yield base
    base.close()
