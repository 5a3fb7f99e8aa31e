"""Forms of the public contest and survey pages: validation on the server, clear messages."""

from django import forms

from contests.models import MINIMUM_AGE, Question
from contests.services import OFFERS_HELP, OFFERS_LABEL

AGE_MESSAGE = f"You must be {MINIMUM_AGE} or over to enter. Under-{MINIMUM_AGE}s cannot enter our contests."


class EntryForm(forms.Form):
    """Entering a contest. The email field is asked only of people who are not signed in;
    the offers box is separate, optional and unticked (P05: entering never needs consent)."""

    email = forms.EmailField(
        label="Your email address",
        max_length=254,
        help_text="We email you a link to confirm your entry, and tell you here if you win.",
        error_messages={
            "required": "Please enter your email address.",
            "invalid": "Please enter a valid email address.",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    age_confirmed = forms.BooleanField(
        label=f"I am {MINIMUM_AGE} or over",
        help_text=f"Required. Under-{MINIMUM_AGE}s cannot enter.",
        error_messages={"required": AGE_MESSAGE},
    )
    email_offers = forms.BooleanField(label=OFFERS_LABEL, help_text=OFFERS_HELP, required=False, initial=False)

    def __init__(self, *args, signed_in: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if signed_in:
            del self.fields["email"]


RATINGS = [(str(n), str(n)) for n in range(1, 6)]


def question_field_name(question: Question) -> str:
    return f"q{question.pk}"


class SurveyForm(forms.Form):
    """One field per question, in the survey's order, built from prefetched questions."""

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        self._choices = {}
        for question in self.questions:
            name = question_field_name(question)
            required = {"required": "Please answer this question."}
            if question.kind == Question.Kind.TEXT:
                field = forms.CharField(
                    max_length=2000,
                    widget=forms.Textarea(attrs={"rows": 4}),
                    error_messages={**required, "max_length": "Please keep your answer under 2,000 characters."},
                )
            elif question.kind == Question.Kind.CHOICE:
                options = list(question.choices.all())
                self._choices[question.pk] = {str(choice.pk): choice for choice in options}
                field = forms.ChoiceField(
                    choices=[(str(choice.pk), choice.label) for choice in options],
                    widget=forms.RadioSelect,
                    error_messages={**required, "invalid_choice": "Please choose one of the options."},
                )
            else:
                field = forms.ChoiceField(
                    choices=RATINGS,
                    widget=forms.RadioSelect(attrs={"class": "rating-input"}),
                    error_messages={**required, "invalid_choice": "Please choose a rating from 1 to 5."},
                )
            field.label = question.text
            field.required = question.required
            if not question.required:
                field.help_text = "Optional."
            self.fields[name] = field

    def answers(self) -> dict:
        """The cleaned answers by question: text, a Choice, an int rating, or "" when skipped."""
        answers = {}
        for question in self.questions:
            value = self.cleaned_data.get(question_field_name(question), "")
            if value and question.kind == Question.Kind.CHOICE:
                value = self._choices[question.pk][value]
            elif value and question.kind == Question.Kind.RATING:
                value = int(value)
            answers[question] = value
        return answers
