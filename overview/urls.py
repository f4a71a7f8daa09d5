from django.urls import path

from overview.views import dashboard, report

app_name = "overview"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("report/", report.report, name="report"),
    path("report.pdf", report.report_pdf, name="report-pdf"),
    path("report.xlsx", report.report_xlsx, name="report-xlsx"),
]
