from .attachment import CaseAttachment
from .case import Case, CaseAssignment, CaseNumberSequence, ExtensionRequest, ReporterAccessLog
from .category import Category
from .event import CaseEvent
from .mention import PhoneMention
from .sla import SlaPolicy

__all__ = [
    "Case",
    "CaseAssignment",
    "CaseAttachment",
    "CaseEvent",
    "CaseNumberSequence",
    "Category",
    "ExtensionRequest",
    "PhoneMention",
    "ReporterAccessLog",
    "SlaPolicy",
]
