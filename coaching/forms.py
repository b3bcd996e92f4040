from datetime import date, datetime, timedelta
from decimal import Decimal

from django import forms
from django.utils import timezone

from careers.models import (
    Classification,
    Employment,
    ExamResult,
    JobApplicationStatus,
    Verification,
)
from careers.services import MAX_HOURLY_WAGE_CENTS
from coaching.caseload import Sort
from coaching.models import SessionKind, SessionStatus
from coaching.selectors import FLAG_LABELS
from enrollment.models import StudentStage
from messaging.models import MessageChannel


class CaseloadFilterForm(forms.Form):
    q = forms.CharField(
        label="Name",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    cohort = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    stage = forms.ChoiceField(required=False, choices=[("", "Any stage"), *StudentStage.choices])
    flag = forms.ChoiceField(required=False, choices=[("", "Any flag"), *FLAG_LABELS.items()])
    sort = forms.ChoiceField(label="Sort by", required=False, choices=Sort.choices)

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
        help_text="4 half hours from 1:00 p.m. offer 1:00, 1:30, 2:00 and 2:30 p.m.",
    )
    weeks = forms.IntegerField(
        label="On how many weeks",
        min_value=1,
        max_value=12,
        initial=1,
        help_text="The same times on the same weekday, this many weeks in a row.",
    )

    def clean_day(self) -> date:
        day = self.cleaned_data["day"]
        if day > timezone.localdate() + timedelta(days=366):
            raise forms.ValidationError("Offer free times up to a year ahead.")
        return day

    def clean(self) -> dict[str, object]:
        data = super().clean()
        if data.get("day") and data.get("start"):
            moment = datetime.combine(data["day"], data["start"])
            data["starts_at"] = timezone.make_aware(moment)
        return data


# -- the student page's actions on flags (coaching.actions) --------------------------------------


def _date(label: str, what: str, required: bool = True, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": f"Enter {what}.",
            "invalid": f"Enter {what} as a date, like March 12, 2026.",
        },
    )


def _text(label: str, what: str, max_length: int, **kwargs: object) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        error_messages={
            "required": f"Enter {what}.",
            "max_length": f"Keep {what} to {max_length} characters.",
        },
        **kwargs,
    )


class ExamBookingForm(forms.Form):
    sat_on = _date("Exam date", "the exam date")
    override_reason = _text(
        "Why book before the student is exam-ready (staff only, optional)",
        "the reason",
        1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ExamResultForm(forms.Form):
    result = forms.ChoiceField(
        label="Result",
        choices=[
            ("", "Choose the result"),
            *[(r.value, r.label) for r in ExamResult if r != ExamResult.SCHEDULED],
        ],
        error_messages={"required": "Choose the result."},
    )
    scaled_score = forms.IntegerField(
        label="Scaled score (passed or failed only)",
        required=False,
        min_value=0,
        max_value=999,
        error_messages={
            "invalid": "Enter the score as a whole number, like 390.",
            "min_value": "Enter a score from 0 to 999.",
            "max_value": "Enter a score from 0 to 999.",
        },
    )


class EmployerField(forms.CharField):
    """An employer by name: one on record is suggested as the coach types; a new name is kept."""

    def __init__(self) -> None:
        super().__init__(
            label="Employer",
            max_length=150,
            widget=forms.TextInput(attrs={"list": "employers", "autocomplete": "off"}),
            error_messages={
                "required": "Enter the employer's name.",
                "max_length": "Keep the employer's name to 150 characters.",
            },
        )


class JobApplicationForm(forms.Form):
    employer = EmployerField()
    role = _text("Role", "the role applied for", 150)
    applied_on = _date("Applied on", "the date of the application")
    status = forms.ChoiceField(label="Status", choices=JobApplicationStatus.choices)
    respond_by = _date(
        "Offer to be answered by",
        "the date the offer must be answered by",
        required=False,
        help_text="For an offer: the day the student must answer by.",
    )


class JobApplicationUpdateForm(forms.Form):
    status = forms.ChoiceField(label="Status", choices=JobApplicationStatus.choices)
    respond_by = _date(
        "Offer to be answered by", "the date the offer must be answered by", required=False
    )


class PlacementForm(forms.Form):
    employer = EmployerField()
    title = _text("Job title", "the job title", 150)
    classification = forms.ChoiceField(label="Field of work", choices=Classification.choices)
    employment = forms.ChoiceField(label="Full or part time", choices=Employment.choices)
    hourly_wage = forms.DecimalField(
        label="Hourly wage in dollars",
        min_value=Decimal("0.01"),
        max_value=Decimal(MAX_HOURLY_WAGE_CENTS) / 100,
        max_digits=7,
        decimal_places=2,
        error_messages={
            "required": "Enter the hourly wage, like 19.50.",
            "invalid": "Enter the hourly wage in dollars, like 19.50.",
            "min_value": "Enter an hourly wage above $0.",
            "max_value": f"Enter an hourly wage up to ${MAX_HOURLY_WAGE_CENTS // 100:,}.",
            "max_decimal_places": "Enter the wage to the cent, like 19.50.",
            "max_digits": "Enter the hourly wage in dollars, like 19.50.",
        },
    )
    start_date = _date("Start date", "the start date")
    verification_method = forms.ChoiceField(
        label="How the school knows", choices=Verification.choices
    )
    evidence_note = _text(
        "Evidence",
        "the evidence",
        4000,
        help_text='What was seen or said, and when: "Offer letter seen on March 2".',
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_hourly_wage(self) -> int:
        """The wage in cents, as the placement keeps it."""
        return int(self.cleaned_data["hourly_wage"] * 100)


class SessionCloseForm(forms.Form):
    status = forms.ChoiceField(
        label="What happened",
        choices=[(SessionStatus.HELD, "Held"), (SessionStatus.NO_SHOW, "The student did not come")],
    )
    outcome = _text(
        "Outcome",
        "what came out of the session",
        4000,
        required=False,
        help_text="What came out of it; needed when it was held.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    next_step = _text("Next step", "the next step", 300, required=False)
