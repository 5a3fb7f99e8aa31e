from django.urls import path

from marketing.views import campaigns, preferences, sms

app_name = "marketing"

urlpatterns = [
    # --- text alerts ---
    path("webhooks/sms/", sms.sms_webhook, name="sms_webhook"),
    # --- email campaigns: the one-click unsubscribe (RFC 8058) ---
    path("unsubscribe/<str:token>/", campaigns.unsubscribe, name="unsubscribe"),
]

#: The preference centre's pages, in the account area: kinetogram/urls.py mounts them under
#: /account/ in the ``accounts`` namespace (``accounts:preferences``), because accounts may
#: not import marketing.
account_urlpatterns = [
    path("preferences/", preferences.preference_centre, name="preferences"),
    path("preferences/choices/", preferences.preference_choices, name="preferences_choices"),
    path("preferences/receipt/", preferences.preference_receipt, name="preferences_receipt"),
    path("preferences/phone/", preferences.phone_verify, name="preferences_phone"),
]
