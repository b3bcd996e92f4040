from django import forms

from backend.errors import DomainError
from enrollment.models import Student
from externships.models import HourLog, LogStatus, ProcedureKind, ProcedureLog, ScrubRole
from externships.rules import SPECIALTIES
from externships.selectors import loggable_for, rejected_logs


class ServiceErrorsMixin:
    """Shows a service's refusal next to the field it names, or above the form."""

    def add_service_error(self, exc: DomainError) -> None:
        self.add_error(exc.field if exc.field in self.fields else None, exc.message)


URGENT_HELP = (
    "Your supervisor gets one email each morning listing the logs waiting for them. Tick this "
    "only when it cannot wait: they are emailed about this log now."
)


class HourLogForm(ServiceErrorsMixin, forms.Form):
    date = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}),
        label="Date",
        help_text="The day the shift started.",
    )
    start_time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}), label="Start")
    end_time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}), label="End")
    ends_next_day = forms.BooleanField(
        required=False,
        label="Ends the next day",
        help_text="A night shift, such as 10:00 p.m. to 6:00 a.m.",
    )
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
    urgent = forms.BooleanField(required=False, label="Urgent", help_text=URGENT_HELP)

    def __init__(self, *args: object, student: Student, **kwargs: object) -> None:
        # Both log forms share a page: their ids must differ, their field names need not.
        super().__init__(*args, auto_id="id_hours_%s", **kwargs)
        self.fields["corrects"].queryset = rejected_logs(student, HourLog)


class ProcedureLogForm(ServiceErrorsMixin, forms.Form):
    """Only what the student's edition of the requirements counts: its procedure kinds, and its
    checklist's competencies to choose from (the service refuses anything else as well)."""

    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="Date")
    kind = forms.ChoiceField(choices=(), label="Kind")
    count = forms.IntegerField(min_value=1, max_value=100, initial=1, label="Count")
    successful = forms.BooleanField(required=False, initial=True, label="Successful")
    competency = forms.ChoiceField(
        choices=(),
        required=False,
        label="Competency (competency logs)",
        help_text="From your program's checklist.",
    )
    specialty = forms.ChoiceField(
        choices=[("", "Not a surgical case"), *((s, s.capitalize()) for s in SPECIALTIES)],
        required=False,
        label="Specialty (surgical cases)",
    )
    role = forms.ChoiceField(
        choices=[("", "Not a surgical case"), *ScrubRole.choices],
        required=False,
        label="Scrub role (surgical cases)",
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
    urgent = forms.BooleanField(required=False, label="Urgent", help_text=URGENT_HELP)

    def __init__(self, *args: object, student: Student, **kwargs: object) -> None:
        super().__init__(*args, auto_id="id_procedures_%s", **kwargs)
        self.fields["corrects"].queryset = rejected_logs(student, ProcedureLog)
        self.loggable = loggable_for(student)
        kinds = self.loggable.kinds
        self.fields["kind"].choices = [(kind, ProcedureKind(kind).label) for kind in kinds]
        if kinds == (ProcedureKind.COMPETENCY,):  # a checklist and nothing else to log
            self.fields["competency"].label = "Competency"
            self.fields["competency"].choices = [("", "Choose a competency")]
        elif ProcedureKind.COMPETENCY in kinds:
            self.fields["competency"].choices = [("", "Not a competency log")]
        if ProcedureKind.COMPETENCY in kinds:
            self.fields["competency"].choices += [(c, c) for c in self.loggable.competencies]
        else:
            del self.fields["competency"]
        if ProcedureKind.SURGICAL_CASE not in kinds:
            del self.fields["specialty"], self.fields["role"]

    @property
    def offers_nothing(self) -> bool:
        """An hours-only edition: there is no procedure to log."""
        return not self.loggable.kinds

    def clean(self) -> dict:
        data = super().clean()
        # Fields the edition does not use are not on the form; the service takes them empty.
        for name in ("competency", "specialty", "role"):
            data.setdefault(name, "")
        return data


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
