"""How common a word is in English, on the Zipf scale, from wordfreq.

wordfreq is the source of every figure, but importing it and building its
English list costs about 0.3 s, every start-up. So the figures of plain
lower-case ASCII words (the words questions are made of once cleaned) are
kept in ``WordFrequencies``, which pickles compactly: a matcher index saved
with ``knowledge.index_cache`` carries them, and a process that loads it never
imports wordfreq unless it meets a word outside them (accented, with digits).
"""

from __future__ import annotations

from array import array
from functools import lru_cache

LANGUAGE = "en"
WORDLIST = "best"
_CENTI = 100
"""wordfreq's figures are whole centibels: a Zipf value times 100 is a whole number."""


class WordFrequencies:
    """The Zipf value of every plain lower-case ASCII word of wordfreq's English list."""

    def __init__(self, zipf: dict[str, float]) -> None:
        self._zipf = zipf

    @classmethod
    def from_wordfreq(cls) -> WordFrequencies:
        """Read from wordfreq's English list: bucket ``i`` holds the words of
        -``i`` centibels, a Zipf value of 9 - i/100 (its "cBpack" format)."""
        from wordfreq import get_frequency_list

        zipf: dict[str, float] = {}
        for index, bucket in enumerate(get_frequency_list(LANGUAGE, WORDLIST)):
            value = round(9 - index / _CENTI, 2)
            zipf.update((word, value) for word in bucket if _plain(word))
        # wordfreq keeps the list it read (tens of MB) for later calls; these are all we need.
        get_frequency_list.cache_clear()
        return cls(zipf)

    def zipf(self, word: str) -> float:
        """``word``'s Zipf value; 0 for a plain word wordfreq does not list."""
        if _plain(word):
            return self._zipf.get(word, 0.0)
        from wordfreq import zipf_frequency

        return float(zipf_frequency(word, LANGUAGE, WORDLIST))

    def __len__(self) -> int:
        return len(self._zipf)

    def __getstate__(self) -> tuple[str, bytes]:
        # One string and one array instead of 290,000 small objects: loads in
        # milliseconds where pickling the dict itself took over 0.1 s.
        values = array("H", (round(value * _CENTI) for value in self._zipf.values()))
        return "\n".join(self._zipf), values.tobytes()

    def __setstate__(self, state: tuple[str, bytes]) -> None:
        words, packed = state
        values = array("H")
        values.frombytes(packed)
        self._zipf = dict(zip(words.split("\n"), (v / _CENTI for v in values), strict=True))


def _plain(word: str) -> bool:
    return word.isascii() and word.isalpha() and word.islower()


_current: WordFrequencies | None = None


def english() -> WordFrequencies:
    """The word frequencies in use: those a loaded index brought, else wordfreq's."""
    global _current
    if _current is None:
        _current = WordFrequencies.from_wordfreq()
    return _current


def use(frequencies: WordFrequencies) -> None:
    """Use these frequencies (made by ``from_wordfreq``, e.g. in a saved index) from now on."""
    global _current
    _current = frequencies


@lru_cache(maxsize=8_192)
def word_zipf(word: str) -> float:
    """wordfreq's Zipf frequency of ``word`` in English (``zipf_frequency``)."""
    return english().zipf(word)
