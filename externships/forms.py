from django import forms

from backend.errors import DomainError
from externships.models import HourLog, LogStatus, ProcedureKind, ProcedureLog, ScrubRole


class ServiceErrorsMixin:
    """Shows a service's refusal next to the field it names, or above the form."""

    def add_service_error(self, exc: DomainError) -> None:
        self.add_error(exc.field if exc.field in self.fields else None, exc.message)


class HourLogForm(ServiceErrorsMixin, forms.Form):
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="Date")
    start_time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}), label="Start")
    end_time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}), label="End")
    break_minutes = forms.IntegerField(
        min_value=0, max_value=8 * 60, initial=0, label="Break (minutes)"
    )
    activities = forms.CharField(
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Activities",
        help_text="What you did during the shift.",
    )
    corrects = forms.ModelChoiceField(
        queryset=HourLog.objects.none(),
        required=False,
        label="Corrects (optional)",
        empty_label="A new shift",
        help_text="Pick a rejected log when this one puts it right.",
    )

    def __init__(self, *args: object, rejected: object, **kwargs: object) -> None:
        # Both log forms share a page: their ids must differ, their field names need not.
        super().__init__(*args, auto_id="id_hours_%s", **kwargs)
        self.fields["corrects"].queryset = rejected


class ProcedureLogForm(ServiceErrorsMixin, forms.Form):
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="Date")
    kind = forms.ChoiceField(choices=ProcedureKind.choices, label="Kind")
    count = forms.IntegerField(min_value=1, max_value=100, initial=1, label="Count")
    successful = forms.BooleanField(required=False, initial=True, label="Successful")
    specialty = forms.CharField(
        max_length=60,
        required=False,
        label="Specialty (surgical cases)",
        help_text="General, orthopedic, ...",
    )
    role = forms.ChoiceField(
        choices=[("", "Not a surgical case"), *ScrubRole.choices],
        required=False,
        label="Scrub role (surgical cases)",
    )
    competency = forms.CharField(
        max_length=120,
        required=False,
        label="Competency (competency logs)",
        help_text="The checklist item, as your program names it.",
    )
    notes = forms.CharField(
        max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Notes"
    )
    corrects = forms.ModelChoiceField(
        queryset=ProcedureLog.objects.none(),
        required=False,
        label="Corrects (optional)",
        empty_label="A new log",
        help_text="Pick a rejected log when this one puts it right.",
    )

    def __init__(self, *args: object, rejected: object, **kwargs: object) -> None:
        super().__init__(*args, auto_id="id_procedures_%s", **kwargs)
        self.fields["corrects"].queryset = rejected


class AnswerForm(ServiceErrorsMixin, forms.Form):
    """The student's answer to a supervisor who asked for more information."""

    notes = forms.CharField(
        max_length=2000, widget=forms.Textarea(attrs={"rows": 2}), label="Your answer"
    )


class DecisionForm(ServiceErrorsMixin, forms.Form):
    """A supervisor's decision; the button pressed carries it."""

    decision = forms.ChoiceField(
        choices=[
            (LogStatus.APPROVED, "Approve"),
            (LogStatus.REJECTED, "Reject"),
            (LogStatus.NEEDS_INFO, "Needs info"),
        ],
        widget=forms.HiddenInput,
    )
    reason = forms.CharField(
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Reason",
        help_text="Needed to reject or to ask for more information.",
    )
