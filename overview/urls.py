from django.urls import path

from overview.views import assessment, dashboard, report
from overview.views import map as town_map

app_name = "overview"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("map/", town_map.town_map, name="map"),
    path("map.geojson", town_map.town_map_data, name="map-data"),
    path("scorecards/", assessment.scorecards, name="scorecards"),
    path("scorecards/compute/", assessment.compute, name="scorecards-compute"),
    path("scorecards.xlsx", assessment.scorecards_xlsx, name="scorecards-xlsx"),
    path("scorecards/<int:pk>/", assessment.scorecard_detail, name="scorecard-detail"),
    path("scorecards/rules/", assessment.rules, name="rules"),
    path("report/", report.report, name="report"),
    path("report.pdf", report.report_pdf, name="report-pdf"),
    path("report.xlsx", report.report_xlsx, name="report-xlsx"),
]
