"""Pluggable SMS backends, chosen by ``settings.SMS_BACKEND``.

``ConsoleBackend`` (the default) writes the message to the log. ``HttpApiBackend`` posts it
as JSON to an SMS gateway's HTTP API (``SMS_API_URL``, ``SMS_API_KEY``); a non-2xx answer
raises, so the delivery is retried with backoff.
"""

import json
import logging
import urllib.request

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class SmsError(Exception):
    pass


class ConsoleBackend:
    def send(self, *, phone: str, text: str) -> None:
        logger.info("SMS to %s: %s", phone, text)


class LocmemBackend:
    """Keeps messages in memory, for tests (like Django's locmem e-mail backend)."""

    outbox: list[dict] = []

    def send(self, *, phone: str, text: str) -> None:
        self.outbox.append({"phone": phone, "text": text})


class HttpApiBackend:
    timeout = 10

    def send(self, *, phone: str, text: str) -> None:
        if not settings.SMS_API_URL:
            raise SmsError("SMS_API_URL is not set")
        payload = json.dumps(
            {"phone": phone, "sign_name": settings.SMS_SIGN_NAME, "text": text}
        ).encode()
        request = urllib.request.Request(
            settings.SMS_API_URL,
            data=payload,
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {settings.SMS_API_KEY}",
            },
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            if not 200 <= response.status < 300:
                raise SmsError(f"SMS gateway answered {response.status}")


def get_backend():
    return import_string(settings.SMS_BACKEND)()
