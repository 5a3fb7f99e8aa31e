import dataclasses


class SmsError(Exception):
    """The message could not be sent; it may be tried again."""


class SmsRecipientOptedOut(SmsError):
    """The provider refuses the number because its owner replied STOP (Twilio error 21610)."""


@dataclasses.dataclass
class SmsMessage:
    to: str
    body: str
    #: The provider's id once sent (Twilio's MessageSid).
    provider_id: str = ""


class BaseSmsBackend:
    """Subclass and implement ``send_message``; ``send`` is what callers use."""

    def send_message(self, message: SmsMessage) -> str:
        """Send ``message``; return the provider's id. Raise SmsError (or SmsRecipientOptedOut)."""
        raise NotImplementedError

    def send(self, message: SmsMessage) -> SmsMessage:
        message.provider_id = self.send_message(message)
        return message
