"""The passage index saved beside the database, so that no start has to rebuild it.

Building the index over 1,000 documents of 20 pages takes about two minutes
(``benchmarks.passages``); the saved one, ``<database>.passages-cache``, is
loaded instead and brought up to date with the sources' texts. It records the
sha256 of each text it indexed, so a document registered, changed or gone
since (by any process) is indexed again or dropped, and only that one; the
file is saved again when anything changed. As with the matcher's
(``knowledge.index_cache``, whose file format, checks and trust this shares),
a file that is missing, damaged or made by other code or libraries is
ignored and the index built; one that cannot be written is logged and skipped.

>>> str(passages_cache_path("data/knowledge.db"))
'data/knowledge.db.passages-cache'
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from knowledge.index_cache import cache_key, cache_path, code_fingerprint, load, save
from knowledge.passages import PassageIndex
from knowledge.sources import SourceStore

log = logging.getLogger(__name__)

PASSAGES_SUFFIX = ".passages-cache"
WHAT = "passage index"


@dataclass(slots=True)
class SavedPassages:
    """What the file holds: the index, and the text hash of each source it covers."""

    texts: dict[str, str]
    index: PassageIndex


def passages_cache_path(database: Path | str) -> Path | None:
    """Where the saved passage index of the database file ``database`` lives; None in memory."""
    return cache_path(database, PASSAGES_SUFFIX)


def passage_index(sources: SourceStore, cache: Path | None) -> PassageIndex:
    """The passages of every source with text: the index saved at ``cache`` brought up
    to date, or built afresh (and saved there). Never raises for a bad cache file."""
    wanted = {source.key: source.text_hash for source in sources.sources() if source.has_text}
    key = cache_key(WHAT, code_fingerprint())
    saved = load(cache, key, SavedPassages, WHAT) if cache is not None else None
    if saved is None:
        index = PassageIndex.build((source, sources.source_text(source)) for source in wanted)
    else:
        log.debug("passage index loaded from %s", cache)
        index = saved.index
        for gone in saved.texts.keys() - wanted.keys():
            index.remove(gone)
        for changed, digest in wanted.items():
            if saved.texts.get(changed) != digest:
                index.update(changed, sources.source_text(changed))
    if cache is not None and (saved is None or saved.texts != wanted):
        save(SavedPassages(wanted, index), cache, key, WHAT)
    return index
