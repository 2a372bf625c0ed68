"""What the suggestion box does when the case desk resolves one of its cases."""

from wangge.cases import actions, selectors
from wangge.core.actors import Actor
from wangge.notifications.services import notify


def answer_due(event) -> None:
    """Durable: runs after commit in the worker, once, even if the web process died meanwhile."""
    if event.payload["channel"] != "mailbox":
        return
    case = selectors.case_by_id(event.subject_id)
    actions.record_on_timeline(case=case, type="mailbox_answer_due", actor=Actor.system(),
                               note=event.payload["note"][:200])
    if case.created_by is not None:
        notify(recipients=[case.created_by], kind="mailbox", subject=case, url=f"/cases/{case.number}/",
               message=f"请把 {case.number} 的答复张贴到意见箱旁的公告栏。", dedupe_key=event.key)
