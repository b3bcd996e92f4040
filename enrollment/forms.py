import secrets
from datetime import date

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils import timezone
from phonenumber_field.formfields import PhoneNumberField

from backend.dates import day
from enrollment.consent import disclosure
from enrollment.models import Cohort, Education
from messaging.consent import ConsentChannel


class DatePartsWidget(forms.MultiWidget):
    """A date as three boxes, day, month and year, as GOV.UK asks for a date that people know by
    heart: no browser date picker to scroll back through the years, and it works everywhere."""

    labels = ("Day", "Month", "Year")

    def __init__(self, autocomplete: str) -> None:
        def box(part: str, width: str) -> forms.TextInput:
            attrs = {
                "inputmode": "numeric",
                "autocomplete": f"{autocomplete}-{part}",
                "class": width,
            }
            return forms.TextInput(attrs=attrs)

        boxes = {"day": box("day", "width-2"), "month": box("month", "width-2")}
        super().__init__({**boxes, "year": box("year", "width-4")})

    def decompress(self, value: date | None) -> list[int | None]:
        return [value.day, value.month, value.year] if value else [None, None, None]

    def get_context(self, name: str, value: object, attrs: dict | None) -> dict:
        """Each box gets its label and an id that says which part it is (id_date_of_birth_day)."""
        context = super().get_context(name, value, attrs)
        boxes = context["widget"]["subwidgets"]
        for box, suffix, label in zip(boxes, self.widgets_names, self.labels, strict=True):
            box["label"] = label
            if "id" in box["attrs"]:
                box["attrs"]["id"] = f"{context['widget']['attrs']['id']}{suffix}"
        return context


class DateOfBirthField(forms.Field):
    """A date of birth typed as day, month and year, with errors that say what to fix."""

    widget = DatePartsWidget(autocomplete="bday")
    default_error_messages = {"required": "Enter a date of birth, like 27 3 2007."}

    def to_python(self, value: list[str] | None) -> date | None:
        # Each error names the box to fix (`part`), where the summary at the top links to.
        parts = [str(part or "").strip() for part in value or ["", "", ""]]
        if not any(parts):
            return None
        missing = [
            name for name, part in zip(("day", "month", "year"), parts, strict=True) if not part
        ]
        if missing:
            raise forms.ValidationError(
                f"The date of birth must include a {' and a '.join(missing)}.",
                params={"part": missing[0]},
            )
        for name, part in zip(("day", "month", "year"), parts, strict=True):
            if not part.isdecimal():
                raise forms.ValidationError(
                    "Enter the date of birth in numbers, like 27 3 2007.", params={"part": name}
                )
        day, month, year = (int(part) for part in parts)
        if len(parts[2]) != 4:
            raise forms.ValidationError(
                "The year must have 4 numbers, like 2007.", params={"part": "year"}
            )
        try:
            return date(year, month, day)
        except ValueError:
            part = "month" if not 1 <= month <= 12 else "day"
            raise forms.ValidationError(
                "The date of birth must be a real date, like 27 3 2007.", params={"part": part}
            ) from None


def text_errors(what: str, limit: int) -> dict[str, str]:
    """A text box's errors in plain words: "Enter your first name." """
    return {
        "required": f"Enter your {what}.",
        "max_length": f"Your {what} must be {limit:,} characters or fewer.",
        "null_characters_not_allowed": f"Your {what} has a character we cannot read: "
        "type it again.",
    }


class ApplicationForm(forms.Form):
    """The public application form. Consent boxes start unchecked: texts about the application,
    then marketing by text, email and phone."""

    cohort = forms.ModelChoiceField(
        queryset=Cohort.objects.none(),
        empty_label=None,
        label="Start date",
        error_messages={
            "required": "Choose a start date.",
            "invalid_choice": "That start date no longer takes applications. "
            "Choose one of the start dates in the list.",
        },
    )
    first_name = forms.CharField(
        max_length=100, label="First name", error_messages=text_errors("first name", 100)
    )
    last_name = forms.CharField(
        max_length=100, label="Last name", error_messages=text_errors("last name", 100)
    )
    email = forms.EmailField(
        max_length=254,
        label="Email",
        error_messages={
            **text_errors("email address", 254),
            "invalid": "Enter an email address in the right format, like name@example.com.",
        },
    )
    phone = PhoneNumberField(
        label="Mobile phone",
        help_text="For example (201) 555-0123.",
        error_messages={
            "required": "Enter your mobile phone number.",
            "invalid": "Enter a phone number like (201) 555-0123. A number outside the US "
            "starts with + and its country code.",
        },
    )
    date_of_birth = DateOfBirthField(label="Date of birth", help_text="For example, 27 3 2007")
    # Starts empty: a preselected diploma let applicants who have none through without a look.
    education = forms.ChoiceField(
        choices=[("", "Choose one"), *Education.choices],
        label="Highest education completed",
        error_messages={
            "required": "Choose the highest education you have completed.",
            "invalid_choice": "Choose the highest education you have completed.",
        },
    )
    prior_healthcare_experience = forms.CharField(
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Prior healthcare experience (optional)",
        error_messages=text_errors("prior healthcare experience", 4000),
    )
    # Minted when the form is shown; a second submission with it (a double click) gets the
    # first answer instead of a second application.
    # Not one of ours (too long, or unreadable) counts as none: a hidden box's error could not
    # be shown next to anything the applicant can fix.
    submission_key = forms.CharField(
        required=False, widget=forms.HiddenInput, initial=secrets.token_urlsafe
    )
    consent_updates_sms = forms.BooleanField(required=False)
    consent_sms = forms.BooleanField(required=False)
    consent_email = forms.BooleanField(required=False)
    consent_phone = forms.BooleanField(required=False)

    def __init__(self, *args: object, cohorts: list[Cohort], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cohort"].queryset = Cohort.objects.filter(pk__in=[c.pk for c in cohorts])
        self.fields["cohort"].label_from_instance = lambda c: f"{c.name}, starts {day(c.starts_on)}"
        for channel in ConsentChannel:
            self.fields[f"consent_{channel.value}"].label = disclosure(channel)

    def clean_submission_key(self) -> str:
        key = self.cleaned_data["submission_key"]
        return key if len(key) <= 64 and "\x00" not in key else ""

    def clean_date_of_birth(self) -> object:
        value = self.cleaned_data["date_of_birth"]
        if value >= timezone.localdate():
            raise forms.ValidationError("The date of birth must be in the past.")
        if value.year < 1900:
            raise forms.ValidationError(
                "The year of birth must be 1900 or later.", params={"part": "year"}
            )
        return value

    def error_summary(self) -> list[tuple[str, str]]:
        """Each error as (the id of the box to fix, or "" for the form as a whole, message), in
        the order of the form: the summary at the top of the page links each one to its box."""
        errors = self.errors.as_data()
        summary = [("", message) for error in errors.get(NON_FIELD_ERRORS, []) for message in error]
        for name in self.fields:
            for error in errors.get(name, []):
                anchor = self[name].auto_id
                if name == "date_of_birth":
                    anchor = f"{anchor}_{(error.params or {}).get('part', 'day')}"
                summary += [(anchor, message) for message in error]
        return summary

    def consent(self) -> dict[str, bool]:
        return {
            channel.value: self.cleaned_data[f"consent_{channel.value}"]
            for channel in ConsentChannel
        }
