"""A multinomial naive Bayes text classifier over character n-grams (分类器), in plain Python.

Why not scikit-learn: it would add scipy and scikit-learn (~60 MB of wheels) to every CI run for
one ``MultinomialNB`` over a few thousand short texts, which this is in ninety lines: train is a
count, predict is a sum of logarithms. The model is a JSON-able dict, stored in the database
(``CategoryClassifier``) so every web process and worker uses the same one.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable

from .text import bigrams, runs

ALPHA = 0.5  # additive smoothing
# Naive Bayes adds up one log-likelihood per piece, so a long text gets absurdly sure (0.99999…)
# whatever it says. The probabilities are taken from the mean log-likelihood per piece times
# SHARPNESS instead: the ranking is the same, but a confident guess stays comparable with the
# keyword table's hits (measured on the demo phrasings: benchmarks/duplicates.py).
SHARPNESS = 3.0


def features(text: str) -> Counter:
    """Bigrams plus single Han characters (a short report "路灯坏" still says 灯)."""
    grams = bigrams(text)
    for run in runs(text):
        if not run.isascii():
            grams.update(run)
    return grams


def train(docs: Iterable[tuple[str, str]], *, min_count: int = 1) -> dict:
    """``docs``: (text, label) pairs → the model. Pieces seen fewer than ``min_count`` times in
    all the texts are dropped (they cannot generalise, and they would bloat the stored model)."""
    per_class: dict[str, Counter] = {}
    doc_counts: Counter = Counter()
    for text, label in docs:
        label = str(label)
        doc_counts[label] += 1
        per_class.setdefault(label, Counter()).update(features(text))
    if min_count > 1:
        total = Counter()
        for grams in per_class.values():
            total.update(grams)
        keep = {g for g, n in total.items() if n >= min_count}
        per_class = {c: Counter({g: n for g, n in grams.items() if g in keep}) for c, grams in per_class.items()}
    vocab = set()
    for grams in per_class.values():
        vocab.update(grams)
    return {
        "alpha": ALPHA,
        "vocab": len(vocab),
        "docs": sum(doc_counts.values()),
        "classes": {
            label: {"docs": doc_counts[label], "total": sum(grams.values()), "grams": dict(grams)}
            for label, grams in per_class.items()
        },
    }


def predict(model: dict, text: str, *, limit: int = 3) -> list[tuple[str, float]]:
    """The ``limit`` likeliest labels with their probabilities (summing to 1 over all labels);
    [] for a text with no known piece (nothing to go on)."""
    classes = model.get("classes") or {}
    if not classes:
        return []
    grams = features(text)
    known = {g: n for g, n in grams.items() if any(g in c["grams"] for c in classes.values())}
    if not known:
        return []
    alpha, vocab, docs = model["alpha"], max(model["vocab"], 1), max(model["docs"], 1)
    scale = SHARPNESS / sum(known.values())
    scores = {}
    for label, c in classes.items():
        denominator = math.log(c["total"] + alpha * vocab)
        own = c["grams"]
        likelihood = sum(n * (math.log(own.get(gram, 0) + alpha) - denominator) for gram, n in known.items())
        scores[label] = math.log(c["docs"] / docs) + scale * likelihood
    top = max(scores.values())
    exp = {label: math.exp(s - top) for label, s in scores.items()}
    norm = sum(exp.values())
    ranked = sorted(((label, e / norm) for label, e in exp.items()), key=lambda item: (-item[1], item[0]))
    return ranked[:limit]


def accuracy(model: dict, docs: Iterable[tuple[str, str]]) -> float | None:
    """The share of ``docs`` whose first prediction is their label (None for no docs)."""
    right = total = 0
    for text, label in docs:
        total += 1
        best = predict(model, text, limit=1)
        right += bool(best) and best[0][0] == str(label)
    return right / total if total else None
