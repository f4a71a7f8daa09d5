from letters.models import LetterBatch


def test_office_creates_and_sends_a_batch_through_the_api(
    api_client, town_staff, chief_a, django_capture_on_commit_callbacks
):
    api_client.force_authenticate(town_staff)
    r = api_client.post("/api/v1/letter-batches/", {"month": "2018-09"}, format="json")
    assert r.status_code == 201, r.json()
    batch_id = r.json()["id"]
    assert r.json()["letters"] == 1
    r = api_client.get(f"/api/v1/letter-batches/{batch_id}/totals/")
    assert r.json()["letters"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        r = api_client.post(f"/api/v1/letter-batches/{batch_id}/send/")
    assert r.status_code == 200
    r = api_client.post(f"/api/v1/letter-batches/{batch_id}/send/")
    assert r.status_code == 400
    r = api_client.post("/api/v1/letter-batches/", {"month": "2018-09"}, format="json")
    assert r.status_code == 400
    assert "month" in r.json()["errors"]
    assert LetterBatch.objects.count() == 1
    r = api_client.get("/api/v1/letters/")
    letter = r.json()["results"][0]
    assert letter["status"] == "sent"
    assert letter["deliveries"] == {"email": "sent", "sms": "sent"}


def test_a_chief_lists_only_their_own_letters(
    api_client, batch, town_staff, chief_a, chief_b, django_capture_on_commit_callbacks
):
    from letters import services

    with django_capture_on_commit_callbacks(execute=True):
        services.send_batch(batch=batch, by=town_staff)
    api_client.force_authenticate(chief_a[0].user)
    r = api_client.get("/api/v1/letters/")
    assert [x["chief"] for x in r.json()["results"]] == [chief_a[0].pk]
    assert api_client.get("/api/v1/letter-batches/").json()["count"] == 0


def test_district_read_token_sees_batches_but_cannot_send(
    api_client, batch, district_token, django_assert_max_num_queries
):
    _token, key = district_token
    auth = {"HTTP_AUTHORIZATION": f"Token {key}"}
    assert api_client.get("/api/v1/letter-batches/", **auth).json()["count"] == 1
    with django_assert_max_num_queries(8):
        assert api_client.get("/api/v1/letters/", **auth).json()["count"] == 2
    assert api_client.post(f"/api/v1/letter-batches/{batch.pk}/send/", **auth).status_code == 403
