"""The sign-up form allauth shows (ACCOUNT_FORMS["signup"]).

It lives apart from accounts.forms because allauth builds its own sign-up form on top of
accounts.forms.SignupExtraForm when it is imported: a subclass of allauth's form in that
module would import itself.
"""

from allauth.account.forms import SignupForm as AllauthSignupForm
from django.contrib.auth import get_user_model


class SignupForm(AllauthSignupForm):
    """allauth's sign-up form, doing the same work for an address that already has an account.

    With ACCOUNT_PREVENT_ENUMERATION allauth answers an existing address with the same page
    and status as a new one, but skips creating the account and with it hashing the password.
    Argon2 is most of a sign-up's time, so the answer came over 100 ms sooner and told which
    addresses have an account (AU-06). The existing address now has the password hashed as a
    new account's is, as allauth's sign-in does for an unknown address
    (AuthenticationBackend._mitigate_timing_attack).
    """

    def try_save(self, request):
        if self.account_already_exists and (password := self.cleaned_data.get("password1")):
            get_user_model()().set_password(password)
        return super().try_save(request)
