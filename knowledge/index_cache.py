"""The matcher's built index, saved beside the database so that a start-up need not rebuild it.

Building the index analyses every text of every fact (about 0.2 s for the
curated facts, two minutes at 100,000); loading the saved one takes a few
milliseconds for the curated facts. The saved index, ``<database>.matcher-cache``,
is used only when its key matches, and the key changes with anything that
decides answers:

* the facts and their example questions in the database: ``facts_version``,
  which SQLite triggers change on every insert, update or delete of a fact or
  an example question, by any process (migration 5);
* the code and language data that build the index: the bytes of
  ``knowledge/*.py`` and ``knowledge/data/*``;
* Python's and the libraries' versions (numpy, rapidfuzz, wordfreq, the stemmer).

A saved index that is missing, unreadable, damaged (its sha256 is checked
before it is read), or made for other facts or code is ignored and rebuilt;
one that cannot be written (read-only folder, full disk) is logged and skipped.
The file is written whole, then renamed into place.

The file is a pickle, so whoever can write beside the database can make the
bot run code; that folder is as trusted as the database and the code.

``matcher_for(db, cache_path(path))`` loads or builds the matcher of the
database at ``path``; an in-memory database has no saved index:

>>> str(cache_path("data/knowledge.db")), cache_path(":memory:")
('data/knowledge.db.matcher-cache', None)
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import sqlite3
import sys
from collections.abc import Callable, Iterable
from contextlib import suppress
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import IO, Any, TypeVar

import snowballstemmer
import sqlite_utils

from knowledge.database import read_transaction
from knowledge.facts import FactStore
from knowledge.matcher import Matcher
from knowledge.models import Fact

log = logging.getLogger(__name__)

CACHE_SUFFIX = ".matcher-cache"
FORMAT = b"shared-services-kb matcher index 1\n"
"""The file's first line; the key and the payload's sha256 follow, a line each."""
PACKAGE = Path(__file__).resolve().parent
LIBRARIES = ("numpy", "rapidfuzz", "wordfreq", "snowballstemmer", "PyStemmer", "wordllama")
STEMMER_LANGUAGE = "english"
"""The language of the stemmer ``Analyser`` makes. PyStemmer's stemmer cannot be
pickled, so it is saved as the call ``english_stemmer()`` and made afresh on loading."""
_STEMMER_PROBES = ("running", "organisations", "outsourced", "generously", "easily")
_HEADER_SIZE = len(FORMAT) + 2 * 65
_CHUNK = 1 << 20

Build = Callable[[Iterable[Fact]], Matcher]
T = TypeVar("T")


def cache_path(database: Path | str, suffix: str = CACHE_SUFFIX) -> Path | None:
    """Where the saved index (the matcher's, unless ``suffix`` says which) of the
    database file ``database`` lives; None in memory."""
    if str(database) in ("", ":memory:"):
        return None
    path = Path(database)
    return path.with_name(path.name + suffix)


def matcher_for(
    db: sqlite_utils.Database,
    cache: Path | None,
    *,
    build: Build = Matcher,
    fingerprint: str | None = None,
) -> Matcher:
    """The matcher for the facts in ``db``.

    Loaded from ``cache`` when it was saved for these facts and this code
    (``fingerprint``, default ``code_fingerprint()``); else built by ``build``
    from a stream of the facts, one snapshot read twice, and saved to
    ``cache``. Never raises for a bad or unwritable cache file.
    """
    store = FactStore(db)
    with read_transaction(db):
        key = None
        if cache is not None:
            try:
                key = cache_key(store.facts_version(), fingerprint or code_fingerprint())
            except sqlite3.Error as error:  # a database older than migration 5
                log.info("matcher index not cached: %s", error)
        if key is not None and cache is not None:
            matcher = load(cache, key, Matcher, "matcher index")
            if matcher is not None:
                log.debug("matcher index loaded from %s", cache)
                return matcher
        matcher = build(store.fact_stream())
    if key is not None and cache is not None:
        save(matcher, cache, key, "matcher index")
    return matcher


def cache_key(facts_version: str, fingerprint: str) -> str:
    """The key a saved index must carry to be used: facts, code and libraries."""
    digest = hashlib.sha256(FORMAT)
    for part in (facts_version, fingerprint, _runtime()):
        digest.update(part.encode() + b"\0")
    return digest.hexdigest()


def code_fingerprint(package: Path = PACKAGE) -> str:
    """The sha256 of the bytes of ``package``'s Python files and of its ``data`` files.

    Computed once per process for the installed package.
    """
    if package == PACKAGE:
        return _own_fingerprint()
    return _fingerprint(package)


@cache
def _own_fingerprint() -> str:
    return _fingerprint(PACKAGE)


def _fingerprint(package: Path) -> str:
    files = sorted(package.rglob("*.py")) + sorted(
        path for path in (package / "data").glob("*") if path.is_file()
    )
    digest = hashlib.sha256()
    for path in files:
        content = path.read_bytes()
        digest.update(f"{path.relative_to(package).as_posix()}\0{len(content)}\0".encode())
        digest.update(content)
    return digest.hexdigest()


@cache
def _runtime() -> str:
    versions = [sys.version]
    for name in LIBRARIES:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} absent")
    return "\n".join(versions)


def load(path: Path, key: str, kind: type[T], what: str) -> T | None:
    """The ``kind`` saved at ``path`` under ``key``, or None (logged, naming ``what``)
    when there is none to use."""
    try:
        with path.open("rb") as file:
            header = file.read(_HEADER_SIZE)
            if header[: len(FORMAT)] != FORMAT:
                log.info("ignoring %s: not a saved %s", path, what)
                return None
            saved_key, digest = header[len(FORMAT) :].decode("ascii", "replace").split("\n")[:2]
            if saved_key != key:
                log.debug("ignoring %s: made for other facts or other code", path)
                return None
            if _payload_digest(file) != digest:
                log.info("ignoring %s: damaged (its checksum does not match)", path)
                return None
            file.seek(_HEADER_SIZE)
            saved = pickle.load(file)
    except FileNotFoundError:
        return None
    except OSError as error:
        log.info("ignoring %s: %s", path, error)
        return None
    except Exception as error:  # unpickling a damaged file can raise almost anything
        log.info("ignoring %s: it cannot be read back (%s)", path, error)
        return None
    if not isinstance(saved, kind):
        log.info("ignoring %s: it holds no %s", path, what)
        return None
    return saved


def _payload_digest(file: IO[bytes]) -> str:
    digest = hashlib.sha256()
    while chunk := file.read(_CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def save(index: object, path: Path, key: str, what: str) -> None:
    """Write ``index`` (``what``, for the log) to ``path`` under ``key``: whole, then
    renamed into place.

    Streamed to the file, so the pickle is never held in memory as well as the index.
    """
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        with temporary.open("wb") as file:
            file.write(b"\0" * _HEADER_SIZE)
            hashing = _HashingWriter(file)
            pickler = _Pickler(hashing, protocol=pickle.HIGHEST_PROTOCOL)
            # No memo: the indexes' saved state holds each object once and no cycle
            # (``Matcher``/``Analyser``/``PassageIndex.__getstate__``), so the pickler
            # need not remember every object it wrote, which cost about 100 MB at
            # 100,000 facts.
            pickler.fast = True
            pickler.dump(index)
            file.seek(0)
            file.write(FORMAT + f"{key}\n{hashing.digest.hexdigest()}\n".encode("ascii"))
        os.replace(temporary, path)
    except OSError as error:
        log.info("%s not saved to %s: %s", what, path, error)
    except (pickle.PicklingError, TypeError, AttributeError, RecursionError) as error:
        log.warning("%s not saved: it cannot be pickled (%s)", what, error)
    else:
        log.debug("%s saved to %s", what, path)
        return
    with suppress(OSError):
        temporary.unlink(missing_ok=True)


class _HashingWriter:
    """Writes through to ``file``, keeping the sha256 of what was written."""

    def __init__(self, file: IO[bytes]) -> None:
        self._file = file
        self.digest = hashlib.sha256()

    def write(self, data: Any) -> int:
        self.digest.update(data)
        return self._file.write(data)


def english_stemmer() -> Any:
    """The stemmer ``Analyser`` makes; a saved index holds a call to this in its place."""
    return snowballstemmer.stemmer(STEMMER_LANGUAGE)


_STEMMER_TYPE = type(english_stemmer())


class _Pickler(pickle.Pickler):
    def reducer_override(self, obj: Any) -> Any:
        # Called only for objects of other types than the builtin containers and
        # scalars, so it costs little; PyStemmer's stemmer is saved as the call
        # that makes it, once checked that it stems as that one does.
        if type(obj) is not _STEMMER_TYPE:
            return NotImplemented
        if obj.stemWords(_STEMMER_PROBES) != english_stemmer().stemWords(_STEMMER_PROBES):
            raise pickle.PicklingError(f"the analyser's stemmer is not {STEMMER_LANGUAGE}")
        return english_stemmer, ()
