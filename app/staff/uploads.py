"""Uploaded papers (a signed pledge, a training material): a PDF or an image, checked by its
first bytes rather than by the name or type the browser claims."""

from __future__ import annotations

from dataclasses import dataclass

from app.auth.models import User
from app.extensions import db
from app.staff.models import StaffDocument
from app.staff.refusals import StaffError

MAX_BYTES = 10 * 1024 * 1024
KINDS = ((b"%PDF-", "application/pdf"), (b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"))


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes


def content_type_of(data: bytes) -> str | None:
    return next((kind for magic, kind in KINDS if data.startswith(magic)), None)


def store(programme: str, upload: Upload, field: str, *, by: User) -> StaffDocument:
    """Keep an uploaded paper; refused unless it is a PDF, PNG or JPEG of at most 10 MB."""
    if not upload.data:
        raise StaffError("ファイルを選んでください。", field)
    if len(upload.data) > MAX_BYTES:
        raise StaffError("ファイルが大きすぎます（10MBまで）。", field)
    content_type = content_type_of(upload.data)
    if content_type is None:
        raise StaffError("PDF・PNG・JPEGのファイルを選んでください。", field)
    document = StaffDocument(programme=programme, filename=(upload.filename or "document")[-200:],
                             content_type=content_type, size=len(upload.data), content=upload.data,
                             uploaded_by_id=by.id)
    db.session.add(document)
    db.session.flush()
    return document
