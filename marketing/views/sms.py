"""The inbound SMS webhook at /webhooks/sms/ (OPT-04, OPT-05): Twilio posts each text people send us."""

import logging
import re

from django.conf import settings as django_settings
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from phonenumber_field.phonenumber import PhoneNumber, to_python
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from marketing import services
from marketing.conf import settings

logger = logging.getLogger(__name__)
MESSAGE_SID = re.compile(r"[A-Z]{2}[0-9a-fA-F]{32}")


@csrf_exempt
@require_POST
def sms_webhook(request):
    """Twilio's signature is checked against the site's public address (SITE_URL; behind a
    proxy the request's own host may differ) before anything is read: a bad one is 403. A
    request without a valid MessageSid, From or Body is 400. The reply is TwiML, with at most
    one message."""
    token = settings.TWILIO_AUTH_TOKEN
    signature = request.headers.get("X-Twilio-Signature", "")
    url = django_settings.SITE_URL + request.get_full_path()
    if not token or not signature or not RequestValidator(token).validate(url, request.POST, signature):
        logger.warning("Inbound SMS refused: missing or invalid Twilio signature.")
        return HttpResponseForbidden("Invalid signature.", content_type="text/plain")
    message_sid = request.POST.get("MessageSid", "")
    number = to_python(request.POST.get("From", ""))
    body = request.POST.get("Body")
    if (
        not MESSAGE_SID.fullmatch(message_sid)
        or not isinstance(number, PhoneNumber)
        or not number.is_valid()
        or body is None
    ):
        return HttpResponseBadRequest("Expected MessageSid, From (a phone number) and Body.", content_type="text/plain")
    reply = services.inbound_sms_receive(message_sid=message_sid, from_number=number.as_e164, body=body)
    twiml = MessagingResponse()
    if reply:
        twiml.message(reply)
    return HttpResponse(str(twiml), content_type="application/xml")
