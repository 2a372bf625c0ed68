"""Background work of the WeChat channel (django-tasks)."""

from django_tasks import task

from . import actions


@task()
def fetch_photo(photo_id: int) -> None:
    """Download a photo a resident sent; file the report if it was waiting for it."""
    actions.fetch_photo(photo_id=photo_id)
