"""Sentence vectors from WordLlama's static token embeddings, loaded offline.

The ``wordllama`` wheel ships the 256-d ``l2_supercat`` weights and its tokenizer inside the
package; WordLlama's model is the mean of the token vectors of a text. We load the two files
ourselves (``tokenizers`` + ``safetensors``, already installed with wordllama) instead of
importing ``wordllama``, whose import alone takes about half a second (it pulls in requests and
a TOML config) and whose default lookup tries the network. Nothing here downloads anything.

Vectors are L2-normalised float32; :func:`quantise` turns them into 256 signed bytes for
storage (cosine error below 0.01).
"""

from __future__ import annotations

import importlib.util
import threading
from pathlib import Path
from typing import Any

import numpy as np

DIM = 256
_WEIGHTS = "weights/l2_supercat_256.safetensors"
_TOKENIZER = "tokenizers/l2_supercat_tokenizer_config.json"
_MAX_TOKENS = 256  # a sentence longer than this is represented by its first 256 tokens
_BATCH = 128


class ModelMissing(RuntimeError):
    """The wordllama package (which carries the weights) is not installed."""


def package_dir() -> Path:
    spec = importlib.util.find_spec("wordllama")
    if spec is None or spec.origin is None:
        raise ModelMissing("the wordllama package is not installed (pip install wordllama)")
    return Path(spec.origin).parent


class Model:
    """Token embeddings + tokenizer; ``embed`` is thread-safe (the tokenizer is)."""

    def __init__(self, folder: Path | None = None) -> None:
        from safetensors.numpy import load_file  # noqa: PLC0415 - loaded on first use
        from tokenizers import Tokenizer  # noqa: PLC0415

        folder = folder or package_dir()
        weights = load_file(str(folder / _WEIGHTS))
        matrix = (
            next(iter(weights.values()))
            if "embedding.weight" not in weights
            else weights["embedding.weight"]
        )
        self._embedding: np.ndarray[Any, Any] = np.asarray(matrix, dtype=np.float32)
        self._tokenizer = Tokenizer.from_file(str(folder / _TOKENIZER))
        self._tokenizer.no_padding()
        self._tokenizer.no_truncation()
        self.dim = int(self._embedding.shape[1])

    def token_ids(self, text: str) -> list[int]:
        ids: list[int] = self._tokenizer.encode(text, add_special_tokens=False).ids
        return ids[:_MAX_TOKENS]

    def embed(self, texts: list[str]) -> np.ndarray[Any, Any]:
        """One unit vector per text (a zero vector for an empty text)."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        encoded = self._tokenizer.encode_batch(list(texts), add_special_tokens=False)
        rows = self._embedding.shape[0]
        ids = [[t for t in enc.ids[:_MAX_TOKENS] if 0 <= t < rows] for enc in encoded]
        for first in range(0, len(ids), _BATCH):  # small batches stay in the CPU cache
            part = ids[first : first + _BATCH]
            lengths = np.array([len(x) for x in part])
            filled = np.flatnonzero(lengths)
            if not len(filled):
                continue
            flat = np.fromiter((t for x in part for t in x), dtype=np.int64, count=lengths.sum())
            starts = np.concatenate(([0], np.cumsum(lengths[filled])[:-1]))
            sums = np.add.reduceat(self._embedding[flat], starts, axis=0)
            out[first + filled] = sums / lengths[filled, None]
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        np.divide(out, norms, out=out, where=norms > 0)
        return out


_lock = threading.Lock()
_model: Model | None = None


def model() -> Model:
    """The process's one model, loaded on first use (about 0.1 s)."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                _model = Model()
    return _model


def embed(texts: list[str]) -> np.ndarray[Any, Any]:
    return model().embed(texts)


_WORDS: dict[str, np.ndarray[Any, Any]] = {}
_WORD_CACHE = 100_000


def embed_words(words: list[str]) -> dict[str, np.ndarray[Any, Any]]:
    """Unit vectors of single words, cached across calls (questions and sentences repeat
    words); the missing ones are embedded in one batch."""
    missing = [w for w in dict.fromkeys(words) if w not in _WORDS]
    if missing:
        if len(_WORDS) + len(missing) > _WORD_CACHE:
            _WORDS.clear()
        for word, vector in zip(missing, model().embed(missing), strict=True):
            _WORDS[word] = vector
    return {w: _WORDS[w] for w in words}


def embed_word(word: str) -> np.ndarray[Any, Any]:
    return embed_words([word])[word]


def quantise(vectors: np.ndarray[Any, Any]) -> list[bytes]:
    """Unit vectors -> int8 bytes (x127), one ``bytes`` of ``DIM`` per vector."""
    q = np.clip(np.rint(vectors * 127.0), -127, 127).astype(np.int8)
    return [row.tobytes() for row in q]


def dequantise(blobs: list[bytes]) -> np.ndarray[Any, Any]:
    """int8 bytes -> float32 vectors (not renormalised; scale 1/127)."""
    if not blobs:
        return np.zeros((0, DIM), dtype=np.float32)
    raw = np.frombuffer(b"".join(blobs), dtype=np.int8).reshape(len(blobs), -1)
    return raw.astype(np.float32) / 127.0
