"""分类建议 — which category (and so which department) a report's text belongs to.

Two sources, blended: the admin's keyword table (``Category.keywords``) and, once it has been
trained on enough closed cases, the naive Bayes classifier (``classifier``). Without a trained
model the keywords alone answer, as before.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from wangge.cases.models import Category
from wangge.core.localcache import ProcessCache

from . import classifier
from .text import normalise

KEYWORD_WEIGHT = 0.3  # each keyword found adds this to the classifier's probability (at most 3)
MIN_PROBABILITY = 0.05  # classifier guesses below this are not offered
MODEL_CHECK_SECONDS = 30.0


def min_training_cases() -> int:
    return int(getattr(settings, "WANGGE_CLASSIFIER_MIN_CASES", 200))


@dataclass(frozen=True)
class Suggestion:
    category: Category
    score: float
    source: str  # "keywords", "model" or "both"

    @property
    def department(self):
        """The department the category sends its cases to (its own, else the nearest ancestor's)."""
        if self.category.default_department_id:
            return self.category.default_department
        ancestors = Category.objects.get_ancestors(self.category).select_related("default_department")
        for node in reversed(list(ancestors)):
            if node.default_department_id:
                return node.default_department
        return None


# The stored model, kept per process: the newest row's id is read every 30 s and the model (a
# few hundred kB of JSON) read again only when that changed.
_held: dict = {"id": None, "model": None}


def _load_model() -> dict | None:
    from .models import CategoryClassifier

    newest = CategoryClassifier.objects.order_by("-trained_at", "-pk").values_list("pk", "trained_at").first()
    if newest is None:
        return None
    if newest != _held["id"]:  # (id, trained_at): an id a rolled-back test used may come again
        _held["model"] = CategoryClassifier.objects.filter(pk=newest[0]).values_list("model", flat=True).first()
        _held["id"] = newest
    return _held["model"]


_model_cache: ProcessCache[dict | None] = ProcessCache(_load_model, seconds=MODEL_CHECK_SECONDS)


def current_model() -> dict | None:
    return _model_cache.get()


def forget_model() -> None:
    """Called after training: this process uses the new model at once."""
    _held.update(id=None, model=None)
    _model_cache.invalidate()


def keyword_hits(text: str) -> dict[int, int]:
    """category id → how many of its keywords occur in ``text``."""
    text = normalise(text)
    hits = {}
    for pk, keywords in Category.objects.filter(is_active=True).exclude(keywords="").values_list("pk", "keywords"):
        n = sum(1 for word in normalise(keywords).split() if word and word in text)
        if n:
            hits[pk] = n
    return hits


def suggest(text: str, *, limit: int = 3) -> list[Suggestion]:
    """The likeliest categories for ``text``, best first (none for a text too short to tell)."""
    text = (text or "").strip()[:5000]
    if len(text) < 2 or limit < 1:
        return []
    hits = keyword_hits(text)
    model = current_model()
    probabilities = {}
    if model is not None:
        probabilities = {int(label): p for label, p in classifier.predict(model, text, limit=max(limit, 5))
                         if p >= MIN_PROBABILITY and str(label).isdigit()}
    ids = set(hits) | set(probabilities)
    if not ids:
        return []
    categories = {c.pk: c for c in Category.objects.filter(pk__in=ids, is_active=True)
                  .select_related("default_department")}
    ranked = []
    for pk, category in categories.items():
        p, n = probabilities.get(pk, 0.0), hits.get(pk, 0)
        source = "both" if p and n else "model" if p else "keywords"
        ranked.append(Suggestion(category, round(p + KEYWORD_WEIGHT * min(n, 3), 4), source))
    # Equal scores: the finer category first (a leaf says more than its parent), then by name.
    ranked.sort(key=lambda s: (-s.score, -s.category.depth, s.category.name))
    return ranked[:limit]


def suggest_categories(text: str, limit: int = 3) -> list[Category]:
    """The categories of ``suggest`` (what the hotline page offers)."""
    return [s.category for s in suggest(text, limit=limit)]
