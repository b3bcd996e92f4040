"""The outcome report's filters, shared by the page and the API so both refuse the same input."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from careers.reports import FIGURE_LABELS, FIRST_YEAR, LAST_YEAR, reporting_year_of, year_label
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
        help_text="2025 means July 1, 2025, to June 30, 2026; the current year by default.",
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


class OutcomePageForm(OutcomeFilterForm):
    """The page's filters: the API's checks, with the year chosen from the years that hold
    enrollment (`years`, newest first); the newest is the default."""

    def __init__(self, *args: object, years: list[int], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.years = years
        shown = set(years)
        asked = self.data.get("year", "")
        if asked.isdigit() and FIRST_YEAR <= int(asked) <= LAST_YEAR:
            shown.add(int(asked))  # an older link keeps its year in view
        if not shown:
            shown.add(reporting_year_of(timezone.localdate()))
        year = self.fields["year"]
        year.label = "Reporting year"
        year.help_text = "July 1 to June 30."
        year.widget = forms.Select(
            choices=[(y, year_label(y)) for y in sorted(shown, reverse=True)]
        )

    def clean_year(self) -> int:
        if self.cleaned_data["year"]:
            return self.cleaned_data["year"]
        return self.years[0] if self.years else reporting_year_of(timezone.localdate())
