from django.core.exceptions import ValidationError


class LettersAndDigitsValidator:
    """P18: a password mixes letters and numbers."""

    def validate(self, password, user=None):
        if not (any(c.isalpha() for c in password) and any(c.isdigit() for c in password)):
            raise ValidationError(
                "Your password must contain at least one letter and one number.",
                code="password_letters_and_digits",
            )

    def get_help_text(self):
        return "Your password must contain at least one letter and one number."
