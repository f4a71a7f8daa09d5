"""Schema post-processing: the error answers every operation can give, in one shape."""

ERROR_SCHEMA = {
    "type": "object",
    "description": "One error shape for the whole API (core/exceptions.py).",
    "properties": {
        "detail": {"type": "string"},
        "errors": {
            "type": "object",
            "additionalProperties": True,
            "description": "field name → messages (400 only; empty otherwise)",
        },
    },
    "required": ["detail"],
}

# status → when an operation can answer it
_ERRORS = {
    "400": "the request's parameters or body are invalid",
    "401": "no or a wrong credential",
    "403": "the caller may not do this (role, scope or a read-only token)",
    "404": "the object does not exist or is outside the caller's scope",
    "405": "the method is not allowed on this path",
    "429": "too many requests (throttled)",
}


def document_error_responses(result, generator, request, public):
    """Add the shared error answers to every operation that does not already document them.

    drf-spectacular documents only the success answer; the API also answers 400 for bad
    parameters, 401/403 for credentials and scope, 404 for ids outside the caller's scope,
    405 and 429. Schemathesis (tests/test_api_schemathesis.py) checks every answer against
    this list.
    """
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("ApiError", ERROR_SCHEMA)
    ref = {"$ref": "#/components/schemas/ApiError"}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for status, description in _ERRORS.items():
                responses.setdefault(
                    status,
                    {"description": description, "content": {"application/json": {"schema": ref}}},
                )
    return result
