"""The forms of the student's home: book one of the coach's free times, move a session to
another, and write to the coach."""

from collections.abc import Iterator
from itertools import groupby

from django import forms

from backend.dates import long_day, long_moment
from coaching.models import OpenSlot, SessionKind


class SlotForm(forms.Form):
    """Picks one of the free times offered (the coach's, from `coaching.booking.free_slots`)."""

    slot = forms.TypedChoiceField(
        coerce=int,
        label="Pick a free time",
        error_messages={
            "required": "Pick one of the free times.",
            "invalid_choice": "That time is no longer free; pick another.",
        },
    )

    def __init__(self, *args: object, slots: list[OpenSlot], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.slots = {slot.pk: slot for slot in slots}
        self.fields["slot"].choices = [(slot.pk, long_moment(slot.starts_at)) for slot in slots]

    def days(self) -> Iterator[tuple[str, list[OpenSlot]]]:
        """The free times by day, for the page's list of times."""
        for day, slots in groupby(self.slots.values(), key=lambda slot: long_day(slot.starts_at)):
            yield day, list(slots)

    def chosen(self) -> str:
        """The value picked (as posted), to keep it checked when the page comes back."""
        return str(self["slot"].value() or "")

    def clean_slot(self) -> OpenSlot:
        return self.slots[self.cleaned_data["slot"]]


class BookingForm(SlotForm):
    kind = forms.ChoiceField(
        choices=SessionKind.choices, initial=SessionKind.CHECK_IN, label="What about"
    )

    field_order = ["kind", "slot"]


class CoachMessageForm(forms.Form):
    body = forms.CharField(
        label="Your message",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Write the message."},
    )
