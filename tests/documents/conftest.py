import io
from datetime import timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from enrollment.models import Student
from students.services import student_graduate
from tests.factories import exam_ready_student


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: object, tmp_path: object) -> None:
    """Exported files go to a scratch folder, never var/media."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


def graduate(**fields: object) -> Student:
    """A student who met an 8-hour requirement and graduated yesterday."""
    today = timezone.localdate()
    student = exam_ready_student(period=today - timedelta(days=40), **fields)
    return student_graduate(student=student, on=today - timedelta(days=1), actor=None)


def pdf_pages(content: bytes) -> list[str]:
    """The text of each page of a PDF."""
    assert content.startswith(b"%PDF-")
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]
