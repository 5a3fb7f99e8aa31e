from marketing.conf import settings
from marketing.sms.backends.base import BaseSmsBackend, SmsError, SmsRecipientOptedOut

#: Twilio's "Attempt to send to unsubscribed recipient": the number replied STOP.
UNSUBSCRIBED_RECIPIENT = 21610


class SmsBackend(BaseSmsBackend):
    """Sends through Twilio's Messages API with TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and
    TWILIO_FROM_NUMBER (``marketing.E001`` refuses to start without them)."""

    def __init__(self, client=None):
        if client is None:
            from twilio.rest import Client

            client = Client(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN)
        self.client = client

    def send_message(self, message):
        from twilio.base.exceptions import TwilioException, TwilioRestException

        try:
            sent = self.client.messages.create(to=message.to, from_=settings.TWILIO_FROM_NUMBER, body=message.body)
        except TwilioRestException as error:
            if error.code == UNSUBSCRIBED_RECIPIENT:
                raise SmsRecipientOptedOut(str(error.code)) from error
            raise SmsError(f"Twilio refused the message (error {error.code}).") from error
        except TwilioException as error:
            raise SmsError("Twilio could not be reached.") from error
        return sent.sid
