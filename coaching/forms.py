from datetime import datetime

from django import forms
from django.utils import timezone

from coaching.models import SessionKind
from coaching.selectors import FLAG_LABELS
from enrollment.models import StudentStage
from messaging.models import MessageChannel


class CaseloadFilterForm(forms.Form):
    cohort = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    stage = forms.ChoiceField(required=False, choices=[("", "Any stage"), *StudentStage.choices])
    flag = forms.ChoiceField(required=False, choices=[("", "Any flag"), *FLAG_LABELS.items()])

    def __init__(self, *args: object, cohorts: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cohort"].choices = [("", "Any cohort"), *cohorts]


class NoteForm(forms.Form):
    body = forms.CharField(
        label="Note (staff only)", max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class SessionForm(forms.Form):
    kind = forms.ChoiceField(choices=SessionKind.choices)
    starts_at = forms.DateTimeField(
        label="Starts at", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    duration_minutes = forms.IntegerField(label="Minutes", min_value=5, max_value=480, initial=30)


class MessageForm(forms.Form):
    channel = forms.ChoiceField(label="Send as", choices=MessageChannel.choices)
    subject = forms.CharField(label="Subject (email)", max_length=200, required=False)
    body = forms.CharField(
        label="Message", max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class FreeTimesForm(forms.Form):
    """A coach offers free times: one, several back to back, and on several weeks."""

    day = forms.DateField(label="Day", widget=forms.DateInput(attrs={"type": "date"}))
    start = forms.TimeField(label="From", widget=forms.TimeInput(attrs={"type": "time"}))
    duration_minutes = forms.IntegerField(
        label="Minutes each", min_value=5, max_value=480, initial=30
    )
    count = forms.IntegerField(
        label="How many in a row",
        min_value=1,
        max_value=16,
        initial=1,
        help_text="4 half hours from 1:00 pm offer 1:00, 1:30, 2:00 and 2:30.",
    )
    weeks = forms.IntegerField(
        label="On how many weeks",
        min_value=1,
        max_value=12,
        initial=1,
        help_text="The same times on the same weekday, this many weeks in a row.",
    )

    def clean(self) -> dict[str, object]:
        data = super().clean()
        if data.get("day") and data.get("start"):
            moment = datetime.combine(data["day"], data["start"])
            data["starts_at"] = timezone.make_aware(moment)
        return data
