from django.contrib.auth import forms as auth_forms


class SetPasswordForm(auth_forms.SetPasswordForm):
    """Django's, without the second box's help text: its label on the page already says it ("The
    same password again"), and an input may not point `aria-describedby` at a text not shown."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password2"].help_text = ""
