"""Issue 13, item 8: every list URL answers hostile query parameters with 200/400, never 5xx.

The URLs are walked from the resolver (every API list of the router, every page and export
that takes no path argument), so a new list arrives in this test by itself. Each is asked
with every hostile value below, once for each of its parameters (an API list's are its
FilterSet's; a page's are the parameters any page of the project reads), and once with all
of them at the same time.
"""

import os

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

HOSTILE = [
    "abc",
    "\x00",
    "2026\x00-01",
    "0",
    "-1",
    "99999999999999999999",
    "9999-12-31",
    "0001-01-01",
    "9999-12-31T23:59:59",
    "9999-12",
    "0001-01",
    "2026-13-45",
    "1e400",
]
# Every parameter a page reads (the API lists' come from their FilterSets).
PAGE_PARAMS = [
    "page", "page_size", "year", "month", "period", "from", "to", "date", "date_from",
    "date_to", "since", "until", "river", "q", "status", "town", "village", "region", "kind",
    "level", "point", "chief", "round", "flagged", "overdue", "modified_since", "ordering",
    "search", "week", "as_at", "at", "source", "category",
]  # fmt: skip
SKIP = {"admin", "set_language", "api-root", "api-schema", "api-docs", "api-redoc", "logout"}


def _walk(patterns, namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            if p.app_name == "admin":
                continue
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _walk(p.url_patterns, ns)
        elif isinstance(p, URLPattern) and p.name:
            yield namespace + p.name, p


def _filter_params(callback) -> list[str]:
    view = getattr(callback, "cls", None)
    filterset = getattr(view, "filterset_class", None)
    names = list(filterset.base_filters) if filterset else []
    return [*names, *(p for p in PAGE_PARAMS if p not in names)]


def targets() -> list[tuple[str, str, list[str]]]:
    """(URL name, path, parameters) of every GET URL without a path argument."""
    found = []
    for name, pattern in _walk(get_resolver().url_patterns):
        regex = pattern.pattern.regex
        if name in SKIP or regex.groupindex or regex.groups:
            continue
        actions = getattr(pattern.callback, "actions", None)
        if actions is not None and "get" not in actions:
            continue
        route = str(pattern.pattern)
        path = "/" + route.lstrip("^").rstrip("$")
        found.append((name, path, route))
    urls = []
    prefixes = _prefixes(get_resolver().url_patterns)
    for name, _path, route in found:
        path = prefixes.get(name, "") + route.lstrip("^").rstrip("$")
        pattern = dict(_walk(get_resolver().url_patterns))[name]
        if getattr(pattern.callback, "actions", None) is not None:
            params = _filter_params(pattern.callback)
        else:
            params = PAGE_PARAMS
        urls.append((name, "/" + path, params))
    return urls


def _prefixes(patterns, prefix="", namespace=""):
    out = {}
    for p in patterns:
        if isinstance(p, URLResolver):
            if p.app_name == "admin":
                continue
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            out |= _prefixes(p.url_patterns, prefix + str(p.pattern).lstrip("^"), ns)
        elif isinstance(p, URLPattern) and p.name:
            out.setdefault(namespace + p.name, prefix)
    return out


TARGETS = targets()


@pytest.fixture
def office_client(two_towns, client):
    client.raise_request_exception = False
    client.force_login(two_towns.office_a)
    return client


@pytest.mark.parametrize(("name", "path", "params"), TARGETS, ids=[t[0] for t in TARGETS])
def test_hostile_query_parameters_never_answer_5xx(office_client, name, path, params):
    failures = []
    for value in HOSTILE:
        queries = [dict.fromkeys(params, value)]
        if os.environ.get("HOSTILE_EACH"):  # every parameter alone too (slow: minutes)
            queries += [{p: value} for p in params]
        for query in queries:
            response = office_client.get(path, query)
            if response.status_code >= 500:
                failures.append(f"{path} {sorted(query)[:3]}...={value!r}: {response.status_code}")
                break
    assert not failures, "\n".join(failures)
