from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """Hooks allauth calls; the sign-up extras are saved by the sign-up form."""
