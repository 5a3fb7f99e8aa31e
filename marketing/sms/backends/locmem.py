import itertools

from marketing.sms.backends.base import BaseSmsBackend

_counter = itertools.count(1)


class SmsBackend(BaseSmsBackend):
    """Keeps sent messages in ``marketing.sms.outbox``, for tests."""

    def send_message(self, message):
        from marketing import sms

        provider_id = f"SMlocmem{next(_counter):026d}"
        sms.outbox.append(message)
        return provider_id
