"""What every admin of an audited model shares (backend/audit.py)."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from simple_history.admin import SimpleHistoryAdmin


class AuditedAdmin(SimpleHistoryAdmin):
    """Its History page lists every change with who, when and each field's old and new value.
    The history only reads: an old version opens for viewing, and nothing there saves."""

    history_list_per_page = 50

    def history_form_view(
        self,
        request: HttpRequest,
        object_id: str,
        version_id: str,
        extra_context: dict | None = None,
    ) -> HttpResponse:
        # simple-history's view saves a posted form as a revert even with the button hidden.
        if request.method != "GET":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def has_change_history_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ReadOnly:
    """Mixed in before a ModelAdmin: a record looked at, never written by hand (logs, and
    records only services write)."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
