"""What the resident actions tell the apps above them (cases, credit, needs, key persons …).

``residents`` sits below those apps and imports none of them, so it cannot re-point or blank
their rows itself. Both signals are sent *inside* the action's transaction, after the resident's
own rows are written: a receiver writes its own rows in the same transaction, and if it raises,
the whole action is rolled back (nothing half-merged, nothing half-erased). Receivers must only
copy data mechanically (STYLE rule 7) — no business rules, no notifications (use on_commit for
those).

``residents_merged(sender=Resident, kept, merged)``
    ``merged`` turned out to be the same person as ``kept`` (an OpenID user verified a phone that
    already had a resident). Its WeChat identities, household and access log have moved to
    ``kept``; ``merged`` stays as an emptied row with ``merged_into = kept``. Each app re-points
    its rows: ``Case.objects.filter(reporter=merged).update(reporter=kept)``.

``resident_anonymised(sender=Resident, resident, phone, openids, name, household_id)``
    ``resident``'s name, phone, WeChat identities and household link were erased (PIPL). Each
    app blanks its own copies of the personal data (a case's ``reporter_name`` /
    ``reporter_phone`` snapshots) but keeps the rows and their figures. ``phone`` (digits, or
    "") and ``openids`` (a list) are the values just erased, for the rows that hold a copy by
    value and not by the resident (a text message's recipient, a WeChat conversation); ``name``
    (or "") is the name just erased, for free texts that quote it (a case's description, a note:
    ``residents.masking.redactor`` finds both in what people typed); ``household_id`` (or None) is
    the household they were just taken out of, whose shared rows may quote them (a household's
    credit account: 王小明 helped clean the stairwell).
"""

from django.dispatch import Signal

residents_merged = Signal()  # kwargs: kept, merged
resident_anonymised = Signal()  # kwargs: resident, phone, openids, name, household_id
