"""The project's URLs plus views that fail, to see the error pages and logs (test_requestid)."""

import logging

from django.urls import path

from config import urls as project


def boom(request):
    logging.getLogger("wangge.test").warning("about to fail")
    raise RuntimeError("boom in a view")


urlpatterns = [path("boom/", boom), path("api/v1/boom/", boom), *project.urlpatterns]
handler404 = project.handler404
handler500 = project.handler500
