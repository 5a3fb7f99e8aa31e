import itertools
import sys
import threading

from marketing.sms.backends.base import BaseSmsBackend

_counter = itertools.count(1)
_lock = threading.Lock()


class SmsBackend(BaseSmsBackend):
    """Prints each text message to stdout, as Django's console email backend prints email."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stdout

    def send_message(self, message):
        with _lock:
            provider_id = f"console-{next(_counter)}"
            self.stream.write(f"To: {message.to}\nId: {provider_id}\n\n{message.body}\n{'-' * 79}\n")
            self.stream.flush()
        return provider_id
