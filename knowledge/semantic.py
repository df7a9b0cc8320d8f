"""How close in meaning a question is to each fact: static sentence embeddings.

The model is WordLlama's (``wordllama`` on PyPI, MIT): a table of token vectors
shipped inside the wheel, so it loads offline in well under a second and encodes
a question in about 0.05 ms with numpy alone. A question's vector is the
normalised mean of its tokens' vectors; a fact's is the normalised mean of its
answer's and example questions' vectors, so one row a fact is all the index
holds, and cosine similarity is one matrix-vector product over every fact.

Only the first ``DIMENSIONS`` of the model's 256 are kept (its vectors are
trained so that a prefix is itself an embedding): half the memory for about
the same ranking (README, "Facts nobody tuned for").

>>> encoder = default_encoder()
>>> vectors = encoder.encode(["who owns sscl", "which company owns SSCL", "weather in Leeds"])
>>> bool(vectors[0] @ vectors[1] > vectors[0] @ vectors[2])
True
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from importlib.util import find_spec
from pathlib import Path

import numpy as np
from safetensors import safe_open
from tokenizers import Tokenizer

from knowledge.models import Fact

DIMENSIONS = 128


def _package_dir(name: str) -> Path:
    """The folder of an installed package, found without importing it.

    Raises ``ModuleNotFoundError`` when the package is not installed."""
    spec = find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"{name} is not installed", name=name)
    return Path(spec.submodule_search_locations[0])


# Located, not imported: importing ``wordllama`` configures the root logger.
_MODEL_DIR = _package_dir("wordllama")
WEIGHTS = _MODEL_DIR / "weights" / "l2_supercat_256.safetensors"
TOKENIZER = _MODEL_DIR / "tokenizers" / "l2_supercat_tokenizer_config.json"
_MAX_CHARS = 2000
"""Longer texts are cut before tokenising: a question or a fact's answer says what
it is about early on, and a 100,000-character message must not cost a second."""


class Encoder:
    """Turns texts into unit vectors of ``DIMENSIONS`` floats (a zero vector for a
    text with no known token). Read from the package's files, never downloaded:
    ``wordllama``'s own loader looks for its tokenizer in a folder its wheel
    does not have and then tries the network."""

    def __init__(self, weights: Path = WEIGHTS, tokenizer: Path = TOKENIZER) -> None:
        with safe_open(str(weights), framework="np", device="cpu") as tensors:
            table = tensors.get_tensor("embedding.weight")[:, :DIMENSIONS]
        self._table = np.ascontiguousarray(table, dtype=np.float32)
        self._tokenizer = Tokenizer.from_file(str(tokenizer))
        self._tokenizer.no_padding()
        self._tokenizer.no_truncation()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        vectors = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        encodings = self._tokenizer.encode_batch([text[:_MAX_CHARS] for text in texts])
        for row, encoding in enumerate(encodings):
            if encoding.ids:
                vectors[row] = self._table[encoding.ids].mean(axis=0)
        return _unit(vectors)

    def fact_vectors(self, facts: Sequence[Fact]) -> list[np.ndarray]:
        """Each fact's vector, the normalised mean of its answer's and example
        questions', their texts encoded in one batch: a batch a fact costs the
        tokenizer's thread pool a wake-up each, milliseconds on a busy machine,
        which an import or a build of thousands of facts would pay thousands of times."""
        texts = [text for fact in facts for text in (fact.answer, *fact.question_texts)]
        vectors = self.encode(texts)
        found: list[np.ndarray] = []
        start = 0
        for fact in facts:
            end = start + 1 + len(fact.questions)
            found.append(_unit(vectors[start:end].mean(axis=0, keepdims=True))[0])
            start = end
        return found


@cache
def default_encoder() -> Encoder:
    """One encoder a process: its table is 16 MB, the same for every matcher."""
    return Encoder()


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    unit: np.ndarray = vectors / np.maximum(norms, 1e-12)
    return unit
