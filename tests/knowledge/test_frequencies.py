"""Word frequencies: wordfreq's figures, carried by a saved index so start-up need not import it."""

from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path

import pytest
from wordfreq import zipf_frequency

from knowledge.base import KnowledgeBase
from knowledge.frequencies import WordFrequencies
from tests.conftest import PROJECT_ROOT

WORDS = [
    "the", "outsourcing", "steria", "serco", "payroll", "offshored", "zzzqx",
    "café", "can't", "2014", "issc2", "o'clock", "",
]  # fmt: skip


@pytest.fixture(scope="module")
def frequencies() -> WordFrequencies:
    return WordFrequencies.from_wordfreq()


@pytest.mark.parametrize("word", WORDS)
def test_the_figures_are_wordfreqs(frequencies: WordFrequencies, word: str) -> None:
    assert frequencies.zipf(word) == zipf_frequency(word, "en")


def test_every_figure_survives_saving(frequencies: WordFrequencies) -> None:
    restored = pickle.loads(pickle.dumps(frequencies))

    assert len(restored) == len(frequencies) > 200_000
    assert restored._zipf == frequencies._zipf


def test_a_start_from_a_saved_index_does_not_import_wordfreq(tmp_path: Path) -> None:
    database = tmp_path / "knowledge.db"
    KnowledgeBase.open(database, sources_dir=tmp_path).close()  # builds and saves the index
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from knowledge.base import KnowledgeBase\n"
        f"kb = KnowledgeBase.open({str(database)!r}, sources_dir=Path({str(tmp_path)!r}))\n"
        "reply = kb.ask('who owns sscl', place='console')\n"
        "print(reply.answered, 'wordfreq' in sys.modules)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    )

    assert run.stdout.split() == ["True", "False"]
