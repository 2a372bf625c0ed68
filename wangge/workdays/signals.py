"""What the working-day calendar tells the rest of the system.

``calendar_year_loaded`` is sent after the transaction that stored a year's calendar commits
(``services.load_calendar_year``), with ``sender=CalendarYear`` and ``year`` (int). Apps whose
deadlines count working days listen to it (cases recomputes its provisional deadlines) —
workdays itself knows nothing of them.
"""

from django.dispatch import Signal

calendar_year_loaded = Signal()  # kwargs: year
