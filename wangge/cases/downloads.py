"""Serving a case's stored file. Media is never public: every caller checks first that the
requester may see the case (staff scope, or the resident's tracking token)."""

from django.http import FileResponse, Http404

from .models import CaseAttachment


def attachment_response(item: CaseAttachment, *, inline_only_images: bool = True) -> FileResponse:
    try:
        handle = item.file.open("rb")
    except OSError:
        raise Http404 from None
    response = FileResponse(
        handle,
        content_type=item.content_type,
        filename=item.original_name,
        as_attachment=inline_only_images and not item.is_image,
    )
    response["X-Content-Type-Options"] = "nosniff"
    # A file is shown, never run: no scripts even if someone smuggled HTML or SVG in.
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response
