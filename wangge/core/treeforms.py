"""django-treebeard's move-node fields (position, relative to) in our own words: treebeard
ships no Chinese catalogue, so the admin forms of the territory and category trees relabel
them with strings translated in this app's catalogue."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

POSITION_LABELS = {
    "first-child": _("First child of"),
    "sorted-child": _("Child of"),
    "sorted-sibling": _("Sibling of"),
    "left": _("Before"),
    "right": _("After"),
}


class TreeMoveLabels:
    """Mix into a ``movenodeform_factory`` form (before it) to relabel its tree fields."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        position = self.fields.get("treebeard_position")
        if position is not None:
            position.label = _("Position")
            position.choices = [(value, POSITION_LABELS.get(value, label)) for value, label in position.choices]
        ref_node = self.fields.get("treebeard_ref_node")
        if ref_node is not None:
            ref_node.label = _("Relative to")
            ref_node.empty_label = _("— top of the tree —")
