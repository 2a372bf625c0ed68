"""Admin building blocks every app's admin uses."""

from __future__ import annotations

from django.db.models.constants import LOOKUP_SEP


class ReadOnlyAdminMixin:
    """View-only: the records are written by the actions (全程留痕), never by hand."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ListFilterLookupsOnly:
    """Query-string filters only on the fields the list offers as filters (and the date
    hierarchy). Django lets ``?field=…`` filter on any field of the model itself —
    ``/admin/cases/case/?reporter_phone__endswith=1234`` would confirm or recover a masked phone
    for anyone who may view cases (a phone oracle). Anything else is refused with a 400."""

    def lookup_allowed(self, lookup, value, request=None):
        allowed = {self.date_hierarchy} if self.date_hierarchy else set()
        for item in self.get_list_filter(request) if request is not None else self.list_filter:
            if isinstance(item, (list, tuple)):
                allowed.add(item[0])
            elif isinstance(item, str):
                allowed.add(item)
            else:  # a SimpleListFilter: its own parameter
                allowed.add(getattr(item, "parameter_name", None))
        if lookup.split(LOOKUP_SEP)[0] not in allowed:
            return False
        return super().lookup_allowed(lookup, value, request)


class LeafDeleteOnly:
    """For a tree's admin (territory, categories): only a node with nothing under it may be deleted,
    and one at a time. The tree library deletes a node's whole sub-tree at once — without the
    admin's confirmation page listing it, and with a crash where a case or a role points into it —
    so a node in use is retired (停用), not deleted; the bulk delete action is not offered."""

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not obj.is_leaf():
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions
