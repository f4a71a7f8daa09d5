"""Alibaba Cloud SMS (阿里云短信服务, dysmsapi ``SendSms``) as an SMS backend.

Select it with ``SMS_BACKEND=notices.sms_aliyun.AliyunSmsBackend`` and set
``SMS_ALIYUN_ACCESS_KEY_ID``, ``SMS_ALIYUN_ACCESS_KEY_SECRET``, ``SMS_ALIYUN_TEMPLATE_CODE``
(an approved template with one variable, named by ``SMS_ALIYUN_TEMPLATE_PARAM``, e.g.
"您有一条河长制提醒：${title}，请登录系统查看。") and ``SMS_SIGN_NAME`` (the approved signature).

Requests are signed with the RPC signature v1 (HMAC-SHA1 over the sorted, percent-encoded
query). Anything but ``Code == "OK"`` raises :class:`notices.sms.SmsError`, so the delivery is
retried with backoff by ``notices.services.deliver`` and never blocks the other channels.
"""

import base64
import hashlib
import hmac
import http.client
import json
import re
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import UTC, datetime

from django.conf import settings

from notices.sms import OutcomeUnknown, SmsError

API_VERSION = "2017-05-25"
# Template variables are limited in length by the provider (35 characters for most types).
PARAM_MAX = 35


def percent_encode(value: str) -> str:
    """RFC 3986 encoding as Alibaba Cloud's POP signature wants it (space %20, * %2A, ~ kept)."""
    return urllib.parse.quote(str(value), safe="~")


def rpc_signature(params: dict[str, str], secret: str, method: str = "GET") -> str:
    canonical = "&".join(
        f"{percent_encode(k)}={percent_encode(v)}"
        for k, v in sorted(params.items())
        if k != "Signature"
    )
    string_to_sign = f"{method}&{percent_encode('/')}&{percent_encode(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), string_to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class AliyunSmsBackend:
    @property
    def timeout(self) -> float:
        return settings.SMS_TIMEOUT_SECONDS

    def outcome(self, *, out_id: str) -> bool | None:
        # QuerySendDetails needs the provider's BizId, lost with the answer: the office decides.
        return None

    def send(self, *, phone: str, text: str, out_id: str = "") -> None:
        key_id = settings.SMS_ALIYUN_ACCESS_KEY_ID
        secret = settings.SMS_ALIYUN_ACCESS_KEY_SECRET
        template = settings.SMS_ALIYUN_TEMPLATE_CODE
        if not (key_id and secret and template):
            raise SmsError("SMS_ALIYUN_ACCESS_KEY_ID, _SECRET and _TEMPLATE_CODE must be set")
        # The provider adds the approved signature itself: drop ours ("【河长办】...").
        content = re.sub(r"^【[^】]*】", "", text).strip()
        if len(content) > PARAM_MAX:
            content = content[: PARAM_MAX - 1] + "…"
        params = {
            "AccessKeyId": key_id,
            "Action": "SendSms",
            "Format": "JSON",
            "PhoneNumbers": phone,
            "RegionId": "cn-hangzhou",
            "SignName": settings.SMS_SIGN_NAME,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "TemplateCode": template,
            "TemplateParam": json.dumps(
                {settings.SMS_ALIYUN_TEMPLATE_PARAM: content}, ensure_ascii=False
            ),
            "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": API_VERSION,
        }
        if out_id:
            params["OutId"] = out_id
        params["Signature"] = rpc_signature(params, secret)
        url = f"{settings.SMS_ALIYUN_ENDPOINT}?{urllib.parse.urlencode(params)}"
        try:
            with urllib.request.urlopen(url, timeout=self.timeout) as response:
                answer = json.loads(response.read().decode() or "{}")
        except urllib.error.URLError as exc:  # connection refused, HTTP error status
            raise SmsError(f"Aliyun SMS unreachable: {exc}") from exc
        except (TimeoutError, ConnectionError, http.client.HTTPException) as exc:
            # The request left; its answer did not come back.
            raise OutcomeUnknown(f"no answer from Aliyun SMS: {exc!r}") from exc
        except OSError as exc:
            raise SmsError(f"Aliyun SMS unreachable: {exc}") from exc
        if answer.get("Code") != "OK":
            raise SmsError(f"Aliyun SMS refused: {answer.get('Code')} {answer.get('Message')}")
