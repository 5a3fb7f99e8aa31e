"""Marketing services, grouped by area in this package; import them from here.

Appended one name a line, unsorted, so parallel additions merge cleanly.
"""

# isort: off
from marketing.services.preferences import PreferenceError  # noqa: F401
from marketing.services.preferences import marketing_channel_set  # noqa: F401
from marketing.services.preferences import marketing_choices_update  # noqa: F401
from marketing.services.preferences import preference_get_or_create  # noqa: F401
from marketing.services.preferences import preferences_receipt_send  # noqa: F401
from marketing.services.sms import PhoneVerificationError  # noqa: F401
from marketing.services.sms import phone_verification_start  # noqa: F401
from marketing.services.sms import phone_verification_confirm  # noqa: F401
from marketing.services.sms import inbound_sms_receive  # noqa: F401
from marketing.services.sms import text_alert_queue  # noqa: F401
from marketing.services.sms import text_alert_deliveries_create  # noqa: F401
from marketing.services.sms import text_alert_deliveries_send  # noqa: F401
from marketing.services.sms import text_deliveries_drop  # noqa: F401
from marketing.services.postal import postal_list_export  # noqa: F401
from marketing.services.sms import sms_batch_size  # noqa: F401


from marketing.services.affiliates import affiliate_referral_record  # noqa: F401
