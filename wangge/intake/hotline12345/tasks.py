"""Background tasks of the 12345 import (django-tasks): a 50,000-row file checks and imports in a
worker while the clerk watches the progress bar, or leaves and comes back."""

from django_tasks import task

from . import jobs


@task()
def check_file(job_id: int) -> None:
    jobs.check_job(job_id)


@task()
def import_file(job_id: int) -> None:
    jobs.import_job(job_id)
