"""The choices of the residents app, one class per field."""

from django.db import models
from django.utils.translation import pgettext_lazy


class DataRequestKind(models.TextChoices):
    """What a resident asks of their personal data (个人信息保护法 第46、47条)."""

    CORRECT = "correct", pgettext_lazy("personal data", "Correction")  # 更正/补充
    DELETE = "delete", pgettext_lazy("personal data", "Deletion")  # 删除


class DataRequestStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("personal data request", "Pending")  # 待处理
    DONE = "done", pgettext_lazy("personal data request", "Done")  # 已办理
    REFUSED = "refused", pgettext_lazy("personal data request", "Refused")  # 已驳回


# Badge colours beside the values (the portal and the admin show them).
DATA_REQUEST_STATUS_TONES = {
    DataRequestStatus.PENDING: "warn",
    DataRequestStatus.DONE: "ok",
    DataRequestStatus.REFUSED: "bad",
}
