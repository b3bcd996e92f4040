import re

from django.contrib import admin

from backend.admin import ReadOnly
from messaging.models import InboundText, Message

# One-time links (password setting, supervisor review) are hidden on screen; the row keeps them.
ONE_TIME_LINK = re.compile(r"(/reset/|/review/link/)\S+")


class ReadOnlyAdmin(ReadOnly, admin.ModelAdmin):
    """A log: looked at, never written by hand."""


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "channel", "address", "kind", "status", "attempts", "sent_at")
    list_filter = ("status", "channel", "purpose", "kind")
    search_fields = ("address", "subject", "provider_id", "recipient__email")
    date_hierarchy = "created_at"
    list_select_related = ("recipient",)
    raw_id_fields = ("recipient", "sender")
    fields = (
        "channel",
        "address",
        "recipient",
        "sender",
        "kind",
        "purpose",
        "status",
        "reason",
        "subject",
        "shown_body",
        "attempts",
        "send_after",
        "provider_id",
        "once_key",
        "created_at",
        "sent_at",
        "updated_at",
    )

    @admin.display(description="body")
    def shown_body(self, message: Message) -> str:
        return ONE_TIME_LINK.sub(r"\1…", message.body)


@admin.register(InboundText)
class InboundTextAdmin(ReadOnlyAdmin):
    list_display = ("received_at", "from_number", "keyword", "body", "reply")
    list_filter = ("keyword",)
    search_fields = ("from_number", "body", "provider_id")
    date_hierarchy = "received_at"
    list_select_related = ("reply",)
