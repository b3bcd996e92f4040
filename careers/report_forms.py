"""The outcome report's filters, shared by the page and the API so both refuse the same input."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from careers.reports import FIGURE_LABELS, FIRST_YEAR, LAST_YEAR, reporting_year_of
from enrollment.models import Cohort, Program


class CohortChoiceField(forms.ModelChoiceField):
    def to_python(self, value: object) -> Cohort | None:
        try:
            return super().to_python(value)
        except OverflowError:  # an id too large for the database
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            ) from None

    def label_from_instance(self, cohort: Cohort) -> str:
        return f"{cohort.program.name} · {cohort.name}"


class OutcomeFilterForm(forms.Form):
    year = forms.IntegerField(
        required=False,
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
        help_text="2025 means 1 July 2025 to 30 June 2026; the current year by default.",
    )
    program = forms.ModelChoiceField(
        Program.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label="All programs",
    )
    cohort = CohortChoiceField(
        Cohort.objects.select_related("program").order_by("program__name", "-starts_on", "pk"),
        required=False,
        empty_label="All cohorts",
    )

    def clean_year(self) -> int:
        return self.cleaned_data["year"] or reporting_year_of(timezone.localdate())

    def clean(self) -> dict:
        data = super().clean()
        program, cohort = data.get("program"), data.get("cohort")
        if program and cohort and cohort.program_id != program.pk:
            self.add_error("cohort", f"This cohort is not a cohort of {program.name}.")
        return data


class FigureFilterForm(OutcomeFilterForm):
    figure = forms.ChoiceField(choices=list(FIGURE_LABELS.items()))
