"""Pluggable SMS backends, chosen by ``settings.SMS_BACKEND``.

``ConsoleBackend`` (the default) writes the message to the log. ``HttpApiBackend`` posts it
as JSON to an SMS gateway's HTTP API (``SMS_API_URL``, ``SMS_API_KEY``).

Every backend takes an ``out_id``: the delivery's idempotency key, the same on every attempt,
which the gateway deduplicates on. What a backend raises says what became of the message:

- :class:`SmsError` — it certainly did not leave (no connection, or the gateway said no): the
  delivery is tried again after a backoff;
- :class:`OutcomeUnknown` — the request left but no answer came back (a read timeout, a
  dropped connection): maybe sent. The delivery is marked "unknown", never re-sent blindly; the
  sweeper asks :meth:`outcome` where the gateway can tell, otherwise the office decides.
"""

import http.client
import json
import logging
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class SmsError(Exception):
    """The message did not leave (or the gateway refused it): safe to try again."""


class OutcomeUnknown(Exception):
    """The request left and no answer came back: the message may have been sent."""


class ConsoleBackend:
    def send(self, *, phone: str, text: str, out_id: str = "") -> None:
        logger.info("SMS to %s [%s]: %s", phone, out_id, text)

    def outcome(self, *, out_id: str) -> bool | None:
        return None


class LocmemBackend:
    """Keeps messages in memory, for tests (like Django's locmem e-mail backend)."""

    outbox: list[dict] = []

    def send(self, *, phone: str, text: str, out_id: str = "") -> None:
        self.outbox.append({"phone": phone, "text": text, "out_id": out_id})

    def outcome(self, *, out_id: str) -> bool | None:
        return any(m["out_id"] == out_id for m in self.outbox)


class HttpApiBackend:
    """POST ``{"phone", "sign_name", "text", "out_id"}`` to ``SMS_API_URL`` (and the same key in
    an ``Idempotency-Key`` header). With ``SMS_API_STATUS_URL`` set, the sweeper asks
    ``GET <status url>?out_id=...`` (answer ``{"received": true|false}``) what became of a send
    whose answer was lost."""

    @property
    def timeout(self) -> float:
        return settings.SMS_TIMEOUT_SECONDS

    def _headers(self, out_id: str = "") -> dict:
        headers = {
            "Content-Type": "application/json",
            "Authorization": f"Bearer {settings.SMS_API_KEY}",
        }
        if out_id:
            headers["Idempotency-Key"] = out_id
        return headers

    def send(self, *, phone: str, text: str, out_id: str = "") -> None:
        if not settings.SMS_API_URL:
            raise SmsError("SMS_API_URL is not set")
        payload = json.dumps(
            {"phone": phone, "sign_name": settings.SMS_SIGN_NAME, "text": text, "out_id": out_id}
        ).encode()
        request = urllib.request.Request(
            settings.SMS_API_URL, data=payload, headers=self._headers(out_id), method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                status = response.status
        except urllib.error.HTTPError as exc:
            # The gateway answered: it did not take the message.
            raise SmsError(f"SMS gateway answered {exc.code}") from exc
        except urllib.error.URLError as exc:
            # urllib wraps failures to connect or to send the request: nothing was taken.
            raise SmsError(f"SMS gateway unreachable: {exc.reason}") from exc
        except (TimeoutError, ConnectionError, http.client.HTTPException) as exc:
            # The request was sent; the answer never came.
            raise OutcomeUnknown(f"no answer from the SMS gateway: {exc!r}") from exc
        if not 200 <= status < 300:
            raise SmsError(f"SMS gateway answered {status}")

    def outcome(self, *, out_id: str) -> bool | None:
        if not settings.SMS_API_STATUS_URL:
            return None
        url = f"{settings.SMS_API_STATUS_URL}?{urllib.parse.urlencode({'out_id': out_id})}"
        request = urllib.request.Request(url, headers=self._headers(), method="GET")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                answer = json.loads(response.read().decode() or "{}")
        except (OSError, ValueError, http.client.HTTPException) as exc:
            logger.warning("SMS gateway status of %s unavailable: %s", out_id, exc)
            return None
        received = answer.get("received")
        return received if isinstance(received, bool) else None


def get_backend():
    return import_string(settings.SMS_BACKEND)()
