"""The Alibaba Cloud SMS backend: signature, request, and refusals that make a retry."""

import io
import json
import urllib.parse
from unittest import mock

import pytest

from notices.sms import SmsError
from notices.sms_aliyun import AliyunSmsBackend, percent_encode, rpc_signature


def test_the_signature_matches_the_providers_documented_example():
    params = {
        "AccessKeyId": "testId",
        "Action": "SendSms",
        "Format": "XML",
        "OutId": "123",
        "PhoneNumbers": "15300000001",
        "RegionId": "cn-hangzhou",
        "SignName": "阿里云短信测试专用",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466",
        "SignatureVersion": "1.0",
        "TemplateCode": "SMS_71390007",
        "TemplateParam": '{"customer":"test"}',
        "Timestamp": "2017-07-12T02:42:19Z",
        "Version": "2017-05-25",
    }
    assert rpc_signature(params, "testSecret") == "zJDF+Lrzhj/ThnlvIToysFRq6t4="


def test_percent_encoding_follows_the_pop_rules():
    assert percent_encode("a b*~") == "a%20b%2A~"
    assert percent_encode("/=&+") == "%2F%3D%26%2B"


@pytest.fixture
def aliyun(settings):
    settings.SMS_ALIYUN_ACCESS_KEY_ID = "LTAI-test"
    settings.SMS_ALIYUN_ACCESS_KEY_SECRET = "s3cret"
    settings.SMS_ALIYUN_TEMPLATE_CODE = "SMS_123"
    settings.SMS_ALIYUN_TEMPLATE_PARAM = "title"
    settings.SMS_ALIYUN_ENDPOINT = "https://dysmsapi.aliyuncs.com/"
    settings.SMS_SIGN_NAME = "河长办"
    return AliyunSmsBackend()


def _answer(body: dict):
    response = mock.MagicMock()
    response.__enter__.return_value = io.BytesIO(json.dumps(body).encode())
    return response


def test_a_message_is_sent_signed_with_the_template_variable(aliyun):
    with mock.patch("urllib.request.urlopen", return_value=_answer({"Code": "OK"})) as urlopen:
        aliyun.send(phone="13900000001", text="【河长办】督办单已逾期：朱泾河长办督〔2026〕第1号")
    url = urlopen.call_args.args[0]
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
    assert query["PhoneNumbers"] == "13900000001"
    assert query["TemplateCode"] == "SMS_123"
    assert json.loads(query["TemplateParam"]) == {
        "title": "督办单已逾期：朱泾河长办督〔2026〕第1号"
    }
    signature = query.pop("Signature")
    assert signature == rpc_signature(query, "s3cret")


def test_a_refusal_raises_so_the_delivery_is_retried(aliyun):
    refusal = {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发分钟级流控"}
    with (
        mock.patch("urllib.request.urlopen", return_value=_answer(refusal)),
        pytest.raises(SmsError, match="BUSINESS_LIMIT_CONTROL"),
    ):
        aliyun.send(phone="13900000001", text="t")


def test_an_unreachable_provider_raises(aliyun):
    with (
        mock.patch("urllib.request.urlopen", side_effect=OSError("timed out")),
        pytest.raises(SmsError, match="unreachable"),
    ):
        aliyun.send(phone="13900000001", text="t")


def test_missing_keys_raise(aliyun, settings):
    settings.SMS_ALIYUN_ACCESS_KEY_SECRET = ""
    with pytest.raises(SmsError):
        aliyun.send(phone="13900000001", text="t")


def test_the_deliverys_key_goes_as_the_out_id(aliyun):
    with mock.patch("urllib.request.urlopen", return_value=_answer({"Code": "OK"})) as urlopen:
        aliyun.send(phone="13900000001", text="t", out_id="hz-d7")
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(urlopen.call_args.args[0]).query))
    assert query["OutId"] == "hz-d7"


def test_an_answer_that_never_came_is_an_unknown_outcome_not_a_refusal(aliyun):
    from notices.sms import OutcomeUnknown

    with (
        mock.patch("urllib.request.urlopen", side_effect=TimeoutError("read timed out")),
        pytest.raises(OutcomeUnknown),
    ):
        aliyun.send(phone="13900000001", text="t", out_id="hz-d7")
