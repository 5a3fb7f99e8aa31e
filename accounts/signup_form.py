"""allauth's forms as the site shows them (ACCOUNT_FORMS).

They live apart from accounts.forms because allauth builds its own sign-up form on top of
accounts.forms.SignupExtraForm when it is imported: a subclass of allauth's form in that
module would import itself.

Every one of them takes email addresses by the site's one rule (privacy.email_address):
an address accepted at sign-up can be used to sign in, reset the password or be added.
"""

from allauth.account import forms as allauth_forms
from django.contrib.auth import get_user_model

from privacy.email_address import use_email_address_rule


class _EmailAddressRule:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        use_email_address_rule(self)


class SignupForm(_EmailAddressRule, allauth_forms.SignupForm):
    """allauth's sign-up form, doing the same work for an address that already has an account.

    With ACCOUNT_PREVENT_ENUMERATION allauth answers an existing address with the same page
    and status as a new one, but skips creating the account and with it hashing the password.
    Argon2 is most of a sign-up's time, so the answer came over 100 ms sooner and told which
    addresses have an account (AU-06). The existing address now has the password hashed as a
    new account's is, as allauth's sign-in does for an unknown address
    (AuthenticationBackend._mitigate_timing_attack).

    The "you already have an account" email is sent here, before allauth's own path: that
    path shares the confirmation email's rate limit (one per address per three minutes), so
    a second sign-up soon after the first said "check your inbox" and sent nothing. The
    adapter sends it once per request (accounts.adapter).
    """

    def try_save(self, request):
        if self.account_already_exists and (password := self.cleaned_data.get("password1")):
            get_user_model()().set_password(password)
            from allauth.account.adapter import get_adapter

            get_adapter(request).send_account_already_exists_mail(self.cleaned_data["email"])
        return super().try_save(request)


class LoginForm(_EmailAddressRule, allauth_forms.LoginForm):
    pass


class ResetPasswordForm(_EmailAddressRule, allauth_forms.ResetPasswordForm):
    pass


class AddEmailForm(_EmailAddressRule, allauth_forms.AddEmailForm):
    pass


class ChangeEmailForm(_EmailAddressRule, allauth_forms.ChangeEmailForm):
    pass


class RequestLoginCodeForm(_EmailAddressRule, allauth_forms.RequestLoginCodeForm):
    pass
