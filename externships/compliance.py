"""Compliance documents as admins record them: checked by the model's own rules
(`ComplianceDocument.clean`, its fields: what the admin's form checks), verified by whoever
records one. Which document of a kind counts is the model's (`lasting_documents`)."""

from datetime import date

from accounts.models import User
from backend.audit import attributed
from enrollment.models import Student
from externships.models import ComplianceDocument


@attributed
def compliance_document_record(
    *,
    student: Student,
    kind: str,
    received_on: date,
    expires_on: date | None = None,
    by: User,
) -> ComplianceDocument:
    """Record a document the school received; `expires_on` None when it never expires. A
    renewal is a new document: the one of its kind that lasts longest counts."""
    document = ComplianceDocument(
        student=student,
        kind=kind,
        received_on=received_on,
        expires_on=expires_on,
        verified_by=by,
    )
    document.full_clean()
    document.save()
    return document
