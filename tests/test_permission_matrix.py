"""The permission matrix: every role against every API operation and page, in one table.

Each row is one operation on an object of town A (朱泾镇, two_towns); each column a caller.
Writes are sent with an empty body inside a rolled-back savepoint, so "400" means "allowed,
and the input was checked" and nothing is kept between cells. A reader checks the policy at a
glance; a new URL pattern (or a new method on one) without a row fails
``test_every_url_pattern_has_a_row``.

Columns:
    anon   not logged in
    ca1    village chief of 待泾村 (village_a1; answers for river_a1 and the border reach)
    ca2    village chief of 秀州村 (village_a2, same town)
    tca    town chief of 朱泾镇
    offa   office of 朱泾镇 (town A)
    offb   office of 亭林镇 (town B)
    insp   the district's inspector
    rtok   district read token   wtok  district write token   atok  town-A write token
    admin  superuser

Codes: 200/201/204 done, 302 redirect (pages: to the login page, or after a form), 400 input
refused, 401 no credentials, 403 role or scope refused, 404 not visible, 405 method not
allowed for this role. To print the answers as they are now (when adding a row), run with
``MATRIX_PRINT=1 ... -s`` (``MATRIX_ONLY=<part of a name>`` limits the run to some rows).
"""

import os
from datetime import date

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests import factories

pytestmark = pytest.mark.django_db

ROLES = ["anon", "ca1", "ca2", "tca", "offa", "offb", "insp", "rtok", "wtok", "atok", "admin"]

# fmt: off
MATRIX = {
    # operation                                      anon ca1 ca2 tca offa offb insp rtok wtok atok admin
    "GET api-docs":                                  "200 200 200 200 200 200 200 200 200 200 200",
    "GET api-redoc":                                 "200 200 200 200 200 200 200 200 200 200 200",
    "GET assignment-detail":                         "401 200 404 200 200 404 200 200 200 200 200",
    "GET assignment-list":                           "401 200 200 200 200 200 200 200 200 200 200",
    "GET chief-detail":                              "401 200 404 200 200 404 200 200 200 200 200",
    "GET chief-list":                                "401 200 200 200 200 200 200 200 200 200 200",
    "GET directive-detail":                          "401 200 404 200 200 404 200 200 200 200 200",
    "GET directive-list":                            "401 200 200 200 200 200 200 200 200 200 200",
    "GET directive-timeline":                        "401 200 404 200 200 404 200 200 200 200 200",
    "GET directives:export":                         "302 200 200 200 200 200 200 302 302 302 200",
    "GET directives:my-orders":                      "302 200 200 200 200 200 200 302 302 302 200",
    "GET directives:order-action":                   "405 405 405 405 405 405 405 405 405 405 405",
    "GET directives:order-board":                    "302 302 302 200 200 200 200 302 302 302 200",
    "GET directives:order-create":                   "302 403 403 403 200 200 403 302 302 302 200",
    "GET directives:order-detail":                   "302 200 404 200 200 404 200 302 302 302 200",
    "GET directives:order-from-finding":             "302 403 403 403 200 404 403 302 302 302 200",
    "GET directives:order-pdf":                      "302 200 404 200 200 404 200 302 302 302 200",
    "GET directives:round-create":                   "302 403 403 403 200 200 403 302 302 302 200",
    "GET directives:round-detail":                   "302 200 200 200 200 404 200 302 302 302 200",
    "GET directives:round-list":                     "302 200 200 200 200 200 200 302 302 302 200",
    "GET directives:statistics":                     "302 200 200 200 200 200 200 302 302 302 200",
    "GET directives:work-order-create":              "405 405 405 405 405 405 405 405 405 405 405",
    "GET directives:work-order-reply":               "405 405 405 405 405 405 405 405 405 405 405",
    "GET finding-detail":                            "401 200 404 200 200 404 200 200 200 200 200",
    "GET finding-list":                              "401 200 200 200 200 200 200 200 200 200 200",
    "GET healthz":                                   "200 200 200 200 200 200 200 200 200 200 200",
    "GET home":                                      "302 200 200 200 200 200 200 302 302 302 200",
    "GET inspection-round-detail":                   "401 200 200 200 200 404 200 200 200 200 200",
    "GET inspection-round-list":                     "401 200 200 200 200 200 200 200 200 200 200",
    "GET letter-batch-detail":                       "401 404 404 404 200 404 404 200 200 200 200",
    "GET letter-batch-list":                         "401 200 200 200 200 200 200 200 200 200 200",
    "GET letter-batch-totals":                       "401 404 404 404 200 404 404 200 200 200 200",
    "GET letter-detail":                             "401 200 404 404 200 404 404 200 200 200 200",
    "GET letter-list":                               "401 200 200 200 200 200 200 200 200 200 200",
    "GET letters:batch-create":                      "405 405 405 405 405 405 405 405 405 405 405",
    "GET letters:batch-detail":                      "302 404 404 404 200 404 404 302 302 302 200",
    "GET letters:batch-progress":                    "302 404 404 404 404 404 404 302 302 302 404",
    "GET letters:batch-resend":                      "405 405 405 405 405 405 405 405 405 405 405",
    "GET letters:batch-retry":                       "405 405 405 405 405 405 405 405 405 405 405",
    "GET letters:batch-send":                        "405 405 405 405 405 405 405 405 405 405 405",
    "GET letters:inbox":                             "302 200 200 200 200 200 200 302 302 302 200",
    "GET letters:letter-detail":                     "302 403 404 404 200 404 404 302 302 302 200",
    "GET letters:letter-pdf":                        "302 403 404 404 200 404 404 302 302 302 200",
    "GET letters:template-edit":                     "302 403 403 403 200 200 403 302 302 302 200",
    "GET letters:template-preview":                  "405 405 405 405 405 405 405 405 405 405 405",
    "GET locked-logins":                             "302 403 403 403 200 200 403 302 302 302 200",
    "GET login":                                     "200 302 302 302 302 302 302 200 200 200 302",
    "GET logout":                                    "405 405 405 405 405 405 405 405 405 405 405",
    "GET media":                                     "302 200 404 200 200 404 200 302 302 302 200",
    "GET measure-detail":                            "401 200 404 200 200 404 200 200 200 200 200",
    "GET measure-list":                              "401 200 200 200 200 200 200 200 200 200 200",
    "GET monitoring-parameters":                     "401 200 200 200 200 200 200 200 200 200 200",
    "GET monitoring-point-detail":                   "401 200 404 200 200 404 200 200 200 200 200",
    "GET monitoring-point-list":                     "401 200 200 200 200 200 200 200 200 200 200",
    "GET monitoring-river-status":                   "401 200 200 200 200 200 200 200 200 200 200",
    "GET monitoring-sample-detail":                  "401 200 404 200 200 404 200 200 200 200 200",
    "GET monitoring-sample-list":                    "401 200 200 200 200 200 200 200 200 200 200",
    "GET monitoring-site-detail":                    "401 404 404 404 404 404 404 404 404 404 404",
    "GET monitoring-site-geojson":                   "401 200 200 200 200 200 200 200 200 200 200",
    "GET monitoring-site-list":                      "401 200 200 200 200 200 200 200 200 200 200",
    "GET monitoring:import-confirm":                 "405 405 405 405 405 405 405 405 405 405 405",
    "GET monitoring:import-detail":                  "302 403 403 403 200 404 403 302 302 302 404",
    "GET monitoring:import-list":                    "302 403 403 403 200 200 403 302 302 302 200",
    "GET monitoring:import-template":                "302 200 200 200 200 200 200 302 302 302 200",
    "GET monitoring:point-detail":                   "302 200 404 200 200 404 200 302 302 302 200",
    "GET monitoring:point-list":                     "302 200 200 200 200 200 200 302 302 302 200",
    "GET monitoring:river-detail":                   "302 200 404 200 200 404 200 302 302 302 200",
    "GET monitoring:river-quality-list":             "302 200 200 200 200 200 200 302 302 302 200",
    "GET monitoring:sample-detail":                  "302 200 404 200 200 404 200 302 302 302 200",
    "GET notices:alert-deliveries":                  "302 403 403 403 200 200 403 302 302 302 200",
    "GET notices:alert-deliveries-resend":           "405 405 405 405 405 405 405 405 405 405 405",
    "GET notices:inbox":                             "302 200 200 200 200 200 200 302 302 302 200",
    "GET notices:read":                              "405 405 405 405 405 405 405 405 405 405 405",
    "GET notices:read-all":                          "405 405 405 405 405 405 405 405 405 405 405",
    "GET open311-request":                           "404 404 404 404 404 404 404 404 404 404 404",
    "GET open311-requests":                          "200 200 200 200 200 200 200 200 200 200 200",
    "GET open311-service":                           "404 404 404 404 404 404 404 404 404 404 404",
    "GET open311-services":                          "200 200 200 200 200 200 200 200 200 200 200",
    "GET overview:dashboard":                        "302 403 403 403 200 200 200 302 302 302 200",
    "GET overview:map":                              "302 403 403 403 200 200 200 302 302 302 200",
    "GET overview:map-data":                         "302 403 403 403 200 200 200 302 302 302 200",
    "GET overview:report":                           "302 403 403 403 200 200 200 302 302 302 200",
    "GET overview:report-pdf":                       "302 403 403 403 200 200 200 302 302 302 200",
    "GET overview:report-xlsx":                      "302 403 403 403 200 200 200 302 302 302 200",
    "GET overview:rules":                            "302 403 403 403 200 200 200 302 302 302 200",
    "GET overview:scorecard-detail":                 "302 404 404 404 404 404 404 302 302 302 404",
    "GET overview:scorecards":                       "302 403 403 403 200 200 200 302 302 302 200",
    "GET overview:scorecards-compute":               "302 405 405 405 405 405 405 302 302 302 405",
    "GET overview:scorecards-xlsx":                  "302 403 403 403 200 200 200 302 302 302 200",
    "GET patrol-detail":                             "401 200 404 200 200 404 200 200 200 200 200",
    "GET patrol-list":                               "401 200 200 200 200 200 200 200 200 200 200",
    "GET patrol-points":                             "401 200 404 200 200 404 200 200 200 200 200",
    "GET patrols:duty":                              "302 200 200 200 200 200 200 302 302 302 200",
    "GET patrols:duty-export":                       "302 200 200 200 200 200 200 302 302 302 200",
    "GET patrols:finding-add":                       "405 405 405 405 405 405 405 405 405 405 405",
    "GET patrols:finding-detail":                    "302 200 404 200 200 404 200 302 302 302 200",
    "GET patrols:finding-dismiss":                   "405 405 405 405 405 405 405 405 405 405 405",
    "GET patrols:finding-list":                      "302 200 200 200 200 200 200 302 302 302 200",
    "GET patrols:finding-photo":                     "405 405 405 405 405 405 405 405 405 405 405",
    "GET patrols:patrol-detail":                     "302 200 404 200 200 404 200 302 302 302 200",
    "GET patrols:patrol-list":                       "302 200 200 200 200 200 200 302 302 302 200",
    "GET patrols:patrol-record":                     "302 200 200 200 200 200 200 302 302 302 200",
    "GET patrols:patrol-review":                     "405 405 405 405 405 405 405 405 405 405 405",
    "GET patrols:patrol-start":                      "302 200 200 200 302 302 302 302 302 302 302",
    "GET patrols:policy-edit":                       "302 403 403 403 200 200 403 302 302 302 200",
    "GET patrols:river-patrols":                     "302 200 404 200 200 404 200 302 302 302 200",
    "GET patrols:rule-edit":                         "302 403 403 403 200 200 403 302 302 302 200",
    "GET patrols:rule-new":                          "302 403 403 403 200 200 403 302 302 302 200",
    "GET patrols:rules":                             "302 200 200 200 200 200 200 302 302 302 200",
    "GET patrols:stats":                             "302 200 200 200 200 200 200 302 302 302 200",
    "GET patrols:stats-export":                      "302 200 200 200 200 200 200 302 302 302 200",
    "GET plan-detail":                               "401 200 404 200 200 404 200 200 200 200 200",
    "GET plan-list":                                 "401 200 200 200 200 200 200 200 200 200 200",
    "GET plans:measure-update":                      "302 200 404 403 200 404 403 302 302 302 200",
    "GET plans:plan-detail":                         "302 200 404 200 200 404 200 302 302 302 200",
    "GET plans:programme-list":                      "302 200 200 200 200 200 200 302 302 302 200",
    "GET programme-detail":                          "401 200 200 200 200 404 200 200 200 200 200",
    "GET programme-list":                            "401 200 200 200 200 200 200 200 200 200 200",
    "GET public-report-detail":                      "401 404 404 404 404 404 404 404 404 404 404",
    "GET public-report-list":                        "401 200 200 200 200 200 200 200 200 200 200",
    "GET public:article-detail":                     "404 404 404 404 404 404 404 404 404 404 404",
    "GET public:article-edit":                       "302 403 403 403 404 404 403 302 302 302 404",
    "GET public:article-list":                       "200 200 200 200 200 200 200 200 200 200 200",
    "GET public:article-new":                        "302 403 403 403 200 200 403 302 302 302 200",
    "GET public:article-unpublish":                  "302 405 405 405 405 405 405 302 302 302 405",
    "GET public:office":                             "302 403 403 403 200 200 403 302 302 302 200",
    "GET public:receipt":                            "404 404 404 404 404 404 404 404 404 404 404",
    "GET public:report-detail":                      "302 404 404 404 404 404 404 302 302 302 404",
    "GET public:report-new":                         "404 404 404 404 404 404 404 404 404 404 404",
    "GET public:report-queue":                       "302 200 200 200 200 200 200 302 302 302 200",
    "GET public:signboard":                          "404 404 404 404 404 404 404 404 404 404 404",
    "GET public:signboard-qr":                       "404 404 404 404 404 404 404 404 404 404 404",
    "GET public:signboards-download":                "302 403 403 403 200 404 403 302 302 302 200",
    "GET public:signboards-pdf":                     "302 403 403 403 302 302 403 302 302 302 302",
    "GET public:signboards-print":                   "302 403 403 403 200 404 403 302 302 302 200",
    "GET public:signboards-request":                 "405 405 405 405 405 405 405 405 405 405 405",
    "GET public:status":                             "404 404 404 404 404 404 404 404 404 404 404",
    "GET public:status-lookup":                      "200 200 200 200 200 200 200 200 200 200 200",
    "GET region-detail":                             "401 200 404 200 200 404 200 200 200 200 200",
    "GET region-list":                               "401 200 200 200 200 200 200 200 200 200 200",
    "GET responsibility-letter-detail":              "401 200 404 200 200 404 200 200 200 200 200",
    "GET responsibility-letter-list":                "401 200 200 200 200 200 200 200 200 200 200",
    "GET river-detail":                              "401 200 404 200 200 404 200 200 200 200 200",
    "GET river-list":                                "401 200 200 200 200 200 200 200 200 200 200",
    "GET rivers:assignment-end":                     "302 405 405 405 405 405 405 302 302 302 405",
    "GET rivers:base-map":                           "302 200 200 200 200 200 200 302 302 302 200",
    "GET rivers:chief-detail":                       "302 200 404 200 200 404 200 302 302 302 200",
    "GET rivers:chief-list":                         "302 200 200 200 200 200 200 302 302 302 200",
    "GET rivers:import":                             "302 403 403 403 200 200 403 302 302 302 200",
    "GET rivers:import-confirm":                     "302 405 405 405 405 405 405 302 302 302 405",
    "GET rivers:import-template":                    "302 200 200 200 200 200 200 302 302 302 200",
    "GET rivers:river-assign":                       "302 405 405 405 405 405 405 302 302 302 405",
    "GET rivers:river-create":                       "302 403 403 403 200 200 403 302 302 302 200",
    "GET rivers:river-detail":                       "302 200 404 200 200 404 200 302 302 302 200",
    "GET rivers:river-edit":                         "302 403 404 403 200 404 403 302 302 302 200",
    "GET rivers:river-list":                         "302 200 200 200 200 200 200 302 302 302 200",
    "GET rivers:vacancy-list":                       "302 200 200 200 200 200 200 302 302 302 200",
    "GET schema":                                    "200 200 200 200 200 200 200 200 200 200 200",
    "GET service-worker":                            "200 200 200 200 200 200 200 200 200 200 200",
    "GET sluice-gate-detail":                        "401 200 404 200 200 404 200 200 200 200 200",
    "GET sluice-gate-list":                          "401 200 200 200 200 200 200 200 200 200 200",
    "GET small-water-body-detail":                   "401 404 404 404 404 404 404 404 404 404 404",
    "GET small-water-body-list":                     "401 200 200 200 200 200 200 200 200 200 200",
    "GET smallwater:body-detail":                    "302 404 404 404 404 404 404 302 302 302 404",
    "GET smallwater:body-list":                      "302 200 200 200 200 200 200 302 302 302 200",
    "GET smallwater:measure-progress":               "302 404 404 404 404 404 404 302 302 302 404",
    "GET smartwater:site-edit":                      "302 403 403 403 404 404 403 302 302 302 404",
    "GET smartwater:site-export":                    "302 200 200 200 200 200 200 302 302 302 200",
    "GET smartwater:site-import":                    "302 403 403 403 200 200 403 302 302 302 200",
    "GET smartwater:site-list":                      "302 200 200 200 200 200 200 302 302 302 200",
    "GET smartwater:sites-geojson":                  "302 200 200 200 200 200 200 302 302 302 200",
    "GET water-body-detail":                         "401 200 404 200 200 404 200 200 200 200 200",
    "GET water-body-list":                           "401 200 200 200 200 200 200 200 200 200 200",
    "GET web-manifest":                              "200 200 200 200 200 200 200 200 200 200 200",
    "GET work-order-detail":                         "401 200 200 200 200 404 200 200 200 200 200",
    "GET work-order-list":                           "401 200 200 200 200 200 200 200 200 200 200",
    "PATCH monitoring-point-detail":                 "401 403 404 403 200 404 403 403 200 200 200",
    "PATCH monitoring-site-detail":                  "401 404 404 404 404 404 404 403 404 404 404",
    "PATCH river-detail":                            "401 403 404 403 200 404 403 403 200 200 200",
    "POST assignment-end":                           "401 400 400 400 400 400 400 403 400 400 400",
    "POST assignment-list":                          "401 400 400 400 400 400 400 403 400 400 400",
    "POST directive-accept":                         "401 200 404 403 403 404 403 403 403 403 200",
    "POST directive-close":                          "401 403 404 403 400 404 403 403 403 403 400",
    "POST directive-extension":                      "401 400 404 400 400 404 400 403 400 400 400",
    "POST directive-extension-decision":             "401 400 404 400 400 404 400 403 400 400 400",
    "POST directive-list":                           "401 400 400 400 400 400 400 403 400 400 400",
    "POST directive-return-":                        "401 400 404 400 400 404 400 403 400 400 400",
    "POST directive-submit":                         "401 400 404 400 400 404 400 403 400 400 400",
    "POST directives:export":                        "302 200 200 200 200 200 200 302 302 302 200",
    "POST directives:my-orders":                     "302 200 200 200 200 200 200 302 302 302 200",
    "POST directives:order-action":                  "302 302 404 403 403 404 403 302 302 302 302",
    "POST directives:order-board":                   "302 302 302 200 200 200 200 302 302 302 200",
    "POST directives:order-create":                  "302 403 403 403 200 200 403 302 302 302 200",
    "POST directives:order-detail":                  "302 200 404 200 200 404 200 302 302 302 200",
    "POST directives:order-from-finding":            "302 403 403 403 200 404 403 302 302 302 200",
    "POST directives:order-pdf":                     "302 200 404 200 200 404 200 302 302 302 200",
    "POST directives:round-create":                  "302 403 403 403 200 200 403 302 302 302 200",
    "POST directives:round-detail":                  "302 200 200 200 200 404 200 302 302 302 200",
    "POST directives:round-list":                    "302 200 200 200 200 200 200 302 302 302 200",
    "POST directives:statistics":                    "302 200 200 200 200 200 200 302 302 302 200",
    "POST directives:work-order-create":             "302 400 400 400 400 404 400 302 302 302 400",
    "POST directives:work-order-reply":              "302 403 403 403 400 404 403 302 302 302 400",
    "POST finding-dismiss":                          "401 403 404 200 200 404 403 403 403 403 200",
    "POST finding-list":                             "401 400 400 400 400 400 400 403 400 400 400",
    "POST finding-photos":                           "401 415 415 415 415 415 415 403 415 415 415",
    "POST healthz":                                  "200 200 200 200 200 200 200 200 200 200 200",
    "POST home":                                     "302 200 200 200 200 200 200 302 302 302 200",
    "POST inspection-round-list":                    "401 400 400 400 400 400 400 403 400 400 400",
    "POST letter-batch-list":                        "401 400 400 400 400 400 400 403 400 400 400",
    "POST letter-batch-send":                        "401 404 404 404 200 404 404 403 403 403 200",
    "POST letters:batch-create":                     "302 403 403 403 302 302 403 302 302 302 302",
    "POST letters:batch-detail":                     "302 404 404 404 200 404 404 302 302 302 200",
    "POST letters:batch-progress":                   "302 404 404 404 404 404 404 302 302 302 404",
    "POST letters:batch-resend":                     "302 404 404 404 404 404 404 302 302 302 404",
    "POST letters:batch-retry":                      "302 404 404 404 302 404 404 302 302 302 302",
    "POST media":                                    "405 405 405 405 405 405 405 405 405 405 405",
    "POST letters:batch-send":                       "302 404 404 404 302 404 404 302 302 302 302",
    "POST letters:inbox":                            "302 200 200 200 200 200 200 302 302 302 200",
    "POST letters:letter-detail":                    "302 403 404 404 200 404 404 302 302 302 200",
    "POST letters:letter-pdf":                       "302 403 404 404 200 404 404 302 302 302 200",
    "POST letters:template-edit":                    "302 403 403 403 200 200 403 302 302 302 200",
    "POST letters:template-preview":                 "302 403 403 403 200 200 403 302 302 302 200",
    "POST locked-logins":                            "302 403 403 403 403 403 403 302 302 302 302",
    "POST login":                                    "200 302 302 302 302 302 302 200 200 200 302",
    "POST logout":                                   "302 302 302 302 302 302 302 302 302 302 302",
    "POST measure-list":                             "401 400 400 400 400 400 400 403 400 400 400",
    "POST measure-progress":                         "401 400 404 400 400 404 400 403 400 400 400",
    "POST monitoring-point-list":                    "401 403 403 403 400 400 403 403 400 400 400",
    "POST monitoring-sample-bulk":                   "401 403 403 403 400 400 403 403 400 400 400",
    "POST monitoring-site-list":                     "401 400 400 400 400 400 400 403 400 400 400",
    "POST monitoring:import-confirm":                "302 403 403 403 302 404 403 302 302 302 404",
    "POST monitoring:import-detail":                 "302 403 403 403 200 404 403 302 302 302 404",
    "POST monitoring:import-list":                   "302 403 403 403 200 200 403 302 302 302 200",
    "POST monitoring:import-template":               "302 200 200 200 200 200 200 302 302 302 200",
    "POST monitoring:point-detail":                  "302 200 404 200 200 404 200 302 302 302 200",
    "POST monitoring:point-list":                    "302 200 200 200 200 200 200 302 302 302 200",
    "POST monitoring:river-detail":                  "302 200 404 200 200 404 200 302 302 302 200",
    "POST monitoring:river-quality-list":            "302 200 200 200 200 200 200 302 302 302 200",
    "POST monitoring:sample-detail":                 "302 200 404 200 200 404 200 302 302 302 200",
    "POST notices:alert-deliveries":                 "302 403 403 403 200 200 403 302 302 302 200",
    "POST notices:alert-deliveries-resend":          "302 403 403 403 302 302 403 302 302 302 302",
    "POST notices:inbox":                            "302 200 200 200 200 200 200 302 302 302 200",
    "POST notices:read":                             "302 302 302 302 302 302 302 302 302 302 302",
    "POST notices:read-all":                         "302 302 302 302 302 302 302 302 302 302 302",
    "POST open311-requests":                         "403 403 403 403 403 403 403 403 403 403 403",
    "POST overview:dashboard":                       "302 403 403 403 200 200 200 302 302 302 200",
    "POST overview:map":                             "302 403 403 403 200 200 200 302 302 302 200",
    "POST overview:map-data":                        "302 403 403 403 200 200 200 302 302 302 200",
    "POST overview:report":                          "302 403 403 403 302 302 403 302 302 302 403",
    "POST overview:report-pdf":                      "302 403 403 403 200 200 200 302 302 302 200",
    "POST overview:report-xlsx":                     "302 403 403 403 200 200 200 302 302 302 200",
    "POST overview:rules":                           "302 403 403 403 200 200 403 302 302 302 200",
    "POST overview:scorecard-detail":                "302 404 404 404 404 404 404 302 302 302 404",
    "POST overview:scorecards":                      "302 403 403 403 200 200 200 302 302 302 200",
    "POST overview:scorecards-compute":              "302 403 403 403 302 302 403 302 302 302 302",
    "POST overview:scorecards-xlsx":                 "302 403 403 403 200 200 200 302 302 302 200",
    "POST patrol-finish":                            "401 200 404 403 200 404 403 403 403 403 200",
    "POST patrol-gpx":                               "401 415 415 415 415 415 415 403 415 415 415",
    "POST patrol-list":                              "401 400 400 400 400 400 400 403 400 400 400",
    "POST patrol-points":                            "401 400 404 400 400 404 400 403 400 400 400",
    "POST patrol-review":                            "401 400 400 400 400 400 400 403 400 400 400",
    "POST patrols:duty":                             "302 200 200 200 200 200 200 302 302 302 200",
    "POST patrols:duty-export":                      "302 200 200 200 200 200 200 302 302 302 200",
    "POST patrols:finding-add":                      "302 302 404 302 302 404 302 302 302 302 302",
    "POST patrols:finding-detail":                   "302 200 404 200 200 404 200 302 302 302 200",
    "POST patrols:finding-dismiss":                  "302 403 404 302 302 404 403 302 302 302 302",
    "POST patrols:finding-list":                     "302 200 200 200 200 200 200 302 302 302 200",
    "POST patrols:finding-photo":                    "302 302 404 302 302 404 302 302 302 302 302",
    "POST patrols:patrol-detail":                    "302 200 404 200 200 404 200 302 302 302 200",
    "POST patrols:patrol-list":                      "302 200 200 200 200 200 200 302 302 302 200",
    "POST patrols:patrol-record":                    "302 200 200 200 200 200 200 302 302 302 200",
    "POST patrols:patrol-review":                    "302 302 404 302 302 404 302 302 302 302 302",
    "POST patrols:patrol-start":                     "302 200 200 200 302 302 302 302 302 302 302",
    "POST patrols:policy-edit":                      "302 403 403 403 200 200 403 302 302 302 200",
    "POST patrols:river-patrols":                    "302 200 404 200 200 404 200 302 302 302 200",
    "POST patrols:rule-edit":                        "302 403 403 403 200 200 403 302 302 302 200",
    "POST patrols:rule-new":                         "302 403 403 403 200 200 403 302 302 302 200",
    "POST patrols:rules":                            "302 200 200 200 200 200 200 302 302 302 200",
    "POST patrols:stats":                            "302 200 200 200 200 200 200 302 302 302 200",
    "POST patrols:stats-export":                     "302 200 200 200 200 200 200 302 302 302 200",
    "POST plans:measure-update":                     "302 200 404 403 200 404 403 302 302 302 200",
    "POST plans:plan-detail":                        "302 200 404 200 200 404 200 302 302 302 200",
    "POST plans:programme-list":                     "302 200 200 200 200 200 200 302 302 302 200",
    "POST public-report-close":                      "401 404 404 404 404 404 404 403 404 404 404",
    "POST public-report-to-order":                   "401 404 404 404 404 404 404 403 404 404 404",
    "POST public:article-detail":                    "404 404 404 404 404 404 404 404 404 404 404",
    "POST public:article-edit":                      "302 403 403 403 404 404 403 302 302 302 404",
    "POST public:article-list":                      "200 200 200 200 200 200 200 200 200 200 200",
    "POST public:article-new":                       "302 403 403 403 200 200 403 302 302 302 200",
    "POST public:article-unpublish":                 "302 404 404 404 404 404 404 302 302 302 404",
    "POST public:office":                            "302 403 403 403 200 200 403 302 302 302 200",
    "POST public:receipt":                           "404 404 404 404 404 404 404 404 404 404 404",
    "POST public:report-detail":                     "302 404 404 404 404 404 404 302 302 302 404",
    "POST public:report-new":                        "404 404 404 404 404 404 404 404 404 404 404",
    "POST public:report-queue":                      "302 200 200 200 200 200 200 302 302 302 200",
    "POST public:signboard":                         "404 404 404 404 404 404 404 404 404 404 404",
    "POST public:signboard-qr":                      "404 404 404 404 404 404 404 404 404 404 404",
    "POST public:signboards-download":               "302 403 403 403 200 404 403 302 302 302 200",
    "POST public:signboards-pdf":                    "302 403 403 403 302 302 403 302 302 302 302",
    "POST public:signboards-print":                  "302 403 403 403 200 404 403 302 302 302 200",
    "POST public:signboards-request":                "302 403 403 403 302 302 403 302 302 302 302",
    "POST public:status":                            "404 404 404 404 404 404 404 404 404 404 404",
    "POST public:status-lookup":                     "200 200 200 200 200 200 200 200 200 200 200",
    "POST river-list":                               "401 400 400 400 400 400 400 403 400 400 400",
    "POST rivers:assignment-end":                    "302 403 404 403 302 404 403 302 302 302 302",
    "POST rivers:base-map":                          "302 200 200 200 200 200 200 302 302 302 200",
    "POST rivers:chief-detail":                      "302 200 404 200 200 404 200 302 302 302 200",
    "POST rivers:chief-list":                        "302 200 200 200 200 200 200 302 302 302 200",
    "POST rivers:import":                            "302 403 403 403 200 200 403 302 302 302 200",
    "POST rivers:import-confirm":                    "302 403 403 403 302 302 403 302 302 302 302",
    "POST rivers:import-template":                   "302 200 200 200 200 200 200 302 302 302 200",
    "POST rivers:river-assign":                      "302 403 404 403 200 404 403 302 302 302 200",
    "POST rivers:river-create":                      "302 403 403 403 200 200 403 302 302 302 200",
    "POST rivers:river-detail":                      "302 200 404 200 200 404 200 302 302 302 200",
    "POST rivers:river-edit":                        "302 403 404 403 200 404 403 302 302 302 200",
    "POST rivers:river-list":                        "302 200 200 200 200 200 200 302 302 302 200",
    "POST rivers:vacancy-list":                      "302 200 200 200 200 200 200 302 302 302 200",
    "POST service-worker":                           "405 405 405 405 405 405 405 405 405 405 405",
    "POST small-water-body-inspection":              "401 404 404 404 404 404 404 403 404 404 404",
    "POST smallwater:body-detail":                   "302 404 404 404 404 404 404 302 302 302 404",
    "POST smallwater:body-list":                     "302 200 200 200 200 200 200 302 302 302 200",
    "POST smallwater:measure-progress":              "302 404 404 404 404 404 404 302 302 302 404",
    "POST smartwater:site-edit":                     "302 403 403 403 404 404 403 302 302 302 404",
    "POST smartwater:site-export":                   "302 200 200 200 200 200 200 302 302 302 200",
    "POST smartwater:site-import":                   "302 403 403 403 400 400 403 302 302 302 400",
    "POST smartwater:site-list":                     "302 200 200 200 200 200 200 302 302 302 200",
    "POST smartwater:sites-geojson":                 "302 200 200 200 200 200 200 302 302 302 200",
    "POST web-manifest":                             "405 405 405 405 405 405 405 405 405 405 405",
    "POST work-order-list":                          "401 400 400 400 400 400 400 403 400 400 400",
    "POST work-order-reply":                         "401 400 400 400 400 404 400 403 400 400 400",
    "PUT monitoring-point-detail":                   "401 403 404 403 400 404 403 403 400 400 400",
    "PUT river-detail":                              "401 400 404 400 400 404 400 403 400 400 400",
}
# fmt: on

MISSING_PK = 999999

# URL names that are not operations of the application.
NOT_OPERATIONS = {"admin", "set_language", "api-root"}


def _walk(patterns, namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            if p.app_name == "admin":
                continue
            yield from _walk(p.url_patterns, ns)
        elif isinstance(p, URLPattern) and p.name:
            yield namespace + p.name, p


def operations() -> set[str]:
    """Every (method, URL name) the application serves, from the URL resolver."""
    ops = set()
    for name, pattern in _walk(get_resolver().url_patterns):
        if name in NOT_OPERATIONS or "format" in pattern.pattern.regex.groupindex:
            continue
        actions = getattr(pattern.callback, "actions", None)
        if actions:  # a DRF viewset route
            # DRF adds "head" to this mapping the first time the route serves a GET, so what
            # it holds depends on which tests ran before in the process: HEAD is GET's twin.
            methods = {m.upper() for m in actions} - {"HEAD"}
        elif hasattr(pattern.callback, "cls"):  # a DRF APIView
            view = pattern.callback.cls
            methods = {m.upper() for m in view.http_method_names if hasattr(view, m)}
            methods -= {"OPTIONS", "HEAD"}
        elif hasattr(pattern.callback, "view_class"):  # a Django class-based view
            view = pattern.callback.view_class
            methods = {m.upper() for m in ("get", "post") if hasattr(view, m)}
        else:  # a page (function view): GET, and POST for forms
            methods = {"GET", "POST"}
        for method in methods:
            ops.add(f"{method} {name}")
    return ops


def test_every_url_pattern_has_a_row():
    missing = sorted(operations() - set(MATRIX))
    stale = sorted(set(MATRIX) - operations())
    assert not missing, "add these operations to MATRIX:\n" + "\n".join(missing)
    assert not stale, "these MATRIX rows match no URL pattern:\n" + "\n".join(stale)


@pytest.fixture
def world(two_towns, settings, tmp_path):
    """Town A's objects, one of each kind, for the detail operations."""
    from django.core.files.base import ContentFile

    from directives.services import issue_directive
    from letters.models import Letter
    from monitoring.models import ImportJob
    from notices.models import Notification
    from patrols.models import DutyRule, FindingPhoto
    from public.models import SignboardPrint
    from rivers.models import ChiefAssignment
    from tests.directives.factories import InspectionRoundFactory, WorkOrderFactory
    from tests.letters.factories import BatchFactory
    from tests.monitoring.factories import MonitoringPointFactory, SampleFactory
    from tests.patrols.factories import FindingFactory, PatrolFactory
    from tests.plans.factories import (
        MeasureFactory,
        PlanFactory,
        ProgrammeFactory,
        ResponsibilityLetterFactory,
    )

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SMS_BACKEND = "notices.sms.ConsoleBackend"
    d = two_towns
    # No town of its own: a factory-made town would join the district's towns, and once the
    # factory's code sequence wrapped it sorted before town A and became the report's default.
    d.admin = factories.UserFactory(
        username="root", is_superuser=True, is_staff=True, role="", region=None
    )
    chief = d.chief_a1.chief
    o = {}
    o["river"] = d.river_a1
    o["assignment"] = ChiefAssignment.objects.get(river=d.river_a1)
    o["chief"] = chief
    o["water_body"] = factories.WaterBodyFactory(village=d.village_a1)
    o["gate"] = factories.SluiceGateFactory(river=d.river_a1)
    o["patrol"] = PatrolFactory(chief=chief, river=d.river_a1)
    o["finding"] = FindingFactory(patrol=o["patrol"])
    o["photo"] = FindingPhoto(finding=o["finding"])
    o["photo"].image.save("p.jpg", ContentFile(b"\xff\xd8\xff"), save=False)
    o["photo"].width = o["photo"].height = 1
    o["photo"].save()
    o["directive"] = issue_directive(
        issued_by=d.office_a,
        river=d.river_a1,
        title="清理漂浮物",
        description="河面漂浮垃圾",
        deadline=date(2030, 1, 1),
        source="phone_report",
        target_village=d.village_a1,
        target_chief=chief,
        notify_target=False,
    )
    o["round"] = InspectionRoundFactory(town=d.town_a)
    o["work_order"] = WorkOrderFactory(inspection_round=o["round"], river=d.river_a1)
    o["point"] = MonitoringPointFactory(river=d.river_a1)
    o["sample"] = SampleFactory(point=o["point"])
    o["import"] = ImportJob.objects.create(
        file="monitoring/imports/x.csv", original_name="x.csv", created_by=d.office_a
    )
    o["programme"] = ProgrammeFactory(region=d.town_a)
    o["plan"] = PlanFactory(programme=o["programme"], river=d.river_a1)
    o["measure"] = MeasureFactory(plan=o["plan"], owner_chief=chief)
    o["responsibility_letter"] = ResponsibilityLetterFactory(
        programme=o["programme"], region=d.village_a1
    )
    o["batch"] = BatchFactory(town=d.town_a)
    o["letter"] = Letter.objects.create(batch=o["batch"], chief=chief, recipient=d.chief_a1)
    o["notification"] = Notification.objects.create(
        key="matrix", recipient=d.office_a, kind="test", title="测试"
    )
    o["rule"] = DutyRule.objects.create(level="village", period="week", region=d.town_a)
    o["signboard_print"] = SignboardPrint(
        region=d.town_a, requested_by=d.office_a, status="done", rivers_total=1, rivers_done=1
    )
    o["signboard_print"].file.save("p.pdf", ContentFile(b"%PDF-1.7\n"), save=False)
    o["signboard_print"].save()
    d.objects = o
    return d


# Which object a detail URL's ``pk`` (or other argument) names, by URL name.
def _kwargs(name: str, pattern, o) -> dict:
    args = list(pattern.pattern.regex.groupindex)
    if not args:
        return {}
    if name == "media":  # a stored file: the finding's photo
        return {"name": o["photo"].image.name}
    short = name.split(":")[-1]
    by_name = {
        "river-detail": o["river"],
        "river-edit": o["river"],
        "river-assign": o["river"],
        "assignment-end": o["river"],
        "river-patrols": o["river"],
        "chief-detail": o["chief"],
        "patrol-detail": o["patrol"],
        "patrol-review": o["patrol"],
        "finding-add": o["patrol"],
        "finding-detail": o["finding"],
        "finding-photo": o["finding"],
        "finding-dismiss": o["finding"],
        "finding-photos": o["finding"],
        "rule-edit": o["rule"],
        "order-from-finding": o["finding"],
        "order-detail": o["directive"],
        "order-pdf": o["directive"],
        "order-action": o["directive"],
        "round-detail": o["round"],
        "work-order-create": o["round"],
        "work-order-reply": o["work_order"],
        "point-detail": o["point"],
        "sample-detail": o["sample"],
        "import-detail": o["import"],
        "import-confirm": o["import"],
        "plan-detail": o["plan"],
        "measure-update": o["measure"],
        "batch-detail": o["batch"],
        "batch-send": o["batch"],
        "batch-retry": o["batch"],
        "letter-detail": o["letter"],
        "letter-pdf": o["letter"],
        "read": o["notification"],
        "signboards-print": o["signboard_print"],
        "signboards-download": o["signboard_print"],
    }
    api = {
        "river": o["river"],
        "water-body": o["water_body"],
        "sluice-gate": o["gate"],
        "chief": o["chief"],
        "assignment": o["assignment"],
        "patrol": o["patrol"],
        "finding": o["finding"],
        "directive": o["directive"],
        "work-order": o["work_order"],
        "inspection-round": o["round"],
        "monitoring-point": o["point"],
        "monitoring-sample": o["sample"],
        "programme": o["programme"],
        "responsibility-letter": o["responsibility_letter"],
        "plan": o["plan"],
        "measure": o["measure"],
        "letter-batch": o["batch"],
        "letter": o["letter"],
        "region": o["river"].region,
    }
    kwargs = {}
    for arg in args:
        if arg == "action":
            kwargs[arg] = "accept"
            continue
        if ":" in name:
            target = by_name.get(short)
            if short == "river-detail" and name.startswith("monitoring:"):
                target = o["river"]
        else:
            target = next(
                (
                    obj
                    for prefix, obj in sorted(api.items(), key=lambda kv: -len(kv[0]))
                    if short.startswith(prefix + "-")
                ),
                None,
            )
        # No object of this kind in ``world`` yet: a missing row (404 where the role may read
        # it). Add the object to ``world`` and here to check the scope for real.
        kwargs[arg] = target.pk if target is not None else MISSING_PK
    return kwargs


def _client(role: str, d):
    from rest_framework.test import APIClient

    client = APIClient(raise_request_exception=False)
    users = {
        "ca1": d.chief_a1,
        "ca2": d.chief_a2,
        "tca": d.town_chief_a,
        "offa": d.office_a,
        "offb": d.office_b,
        "insp": d.inspector,
        "admin": d.admin,
    }
    tokens = {"rtok": d.read_token, "wtok": d.write_token, "atok": d.town_a_token}
    if role in users:
        client.force_login(users[role])
    elif role in tokens:
        client.credentials(HTTP_AUTHORIZATION=f"Token {tokens[role][1]}")
    return client


def answers(d) -> dict[str, list[int]]:
    patterns = {
        name: p
        for name, p in _walk(get_resolver().url_patterns)
        if "format" not in p.pattern.regex.groupindex
    }
    clients = {role: _client(role, d) for role in ROLES}
    table = {}
    # Logging out ends the sessions of the callers: last.
    only = os.environ.get("MATRIX_ONLY", "")  # e.g. MATRIX_ONLY=letters: when adding rows
    for op in sorted(operations(), key=lambda op: (op == "POST logout", op)):
        if only not in op:
            continue
        method, name = op.split(" ", 1)
        url = reverse(name, kwargs=_kwargs(name, patterns[name], d.objects))
        row = []
        for role in ROLES:
            with transaction.atomic():
                response = clients[role].generic(method, url, "{}", "application/json")
                transaction.set_rollback(True)
            row.append(response.status_code)
        table[op] = row
    return table


def test_each_role_gets_the_expected_answer_for_every_operation(world):
    table = answers(world)
    if os.environ.get("MATRIX_PRINT"):
        for op, row in table.items():
            print(f'    "{op}":'.ljust(52) + f' "{" ".join(str(c) for c in row)}",')
    wrong = {
        op: (MATRIX.get(op), " ".join(str(c) for c in row))
        for op, row in table.items()
        if MATRIX.get(op) != " ".join(str(c) for c in row)
    }
    assert not wrong, "\n".join(
        f"{op}: expected {exp}, got {got}" for op, (exp, got) in sorted(wrong.items())
    )
