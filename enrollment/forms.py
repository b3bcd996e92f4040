from django import forms
from django.utils import timezone
from phonenumber_field.formfields import PhoneNumberField

from enrollment.consent import disclosure
from enrollment.models import Channel, Cohort, Education


class ApplicationForm(forms.Form):
    """The public application form. Consent boxes start unchecked: texts about the application,
    then marketing by text, email and phone."""

    cohort = forms.ModelChoiceField(
        queryset=Cohort.objects.none(), empty_label=None, label="Start date"
    )
    first_name = forms.CharField(max_length=100, label="First name")
    last_name = forms.CharField(max_length=100, label="Last name")
    email = forms.EmailField(max_length=254, label="Email")
    phone = PhoneNumberField(label="Mobile phone", help_text="For example (201) 555-0123.")
    date_of_birth = forms.DateField(
        label="Date of birth",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="YYYY-MM-DD",
    )
    education = forms.ChoiceField(choices=Education.choices, label="Highest education completed")
    prior_healthcare_experience = forms.CharField(
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Prior healthcare experience (optional)",
    )
    consent_updates_sms = forms.BooleanField(required=False)
    consent_sms = forms.BooleanField(required=False)
    consent_email = forms.BooleanField(required=False)
    consent_phone = forms.BooleanField(required=False)

    def __init__(self, *args: object, cohorts: list[Cohort], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cohort"].queryset = Cohort.objects.filter(pk__in=[c.pk for c in cohorts])
        self.fields["cohort"].label_from_instance = lambda c: (
            f"{c.name}, starts {c.starts_on:%B %-d, %Y}"
        )
        for channel in Channel:
            self.fields[f"consent_{channel.value}"].label = disclosure(channel)

    def clean_date_of_birth(self) -> object:
        value = self.cleaned_data["date_of_birth"]
        if value >= timezone.localdate():
            raise forms.ValidationError("The date of birth must be in the past.")
        if value.year < 1900:
            raise forms.ValidationError("Enter a date of birth after 1900.")
        return value

    def consent(self) -> dict[str, bool]:
        return {channel.value: self.cleaned_data[f"consent_{channel.value}"] for channel in Channel}
