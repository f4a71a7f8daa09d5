from django.urls import path

from public import views

app_name = "public"
urlpatterns = [
    # No login: what residents open from a signboard's QR code.
    path("r/<str:code>/", views.signboard, name="signboard"),
    path("r/<str:code>/qr.svg", views.signboard_qr, name="signboard-qr"),
    path("r/<str:code>/report/", views.report_new, name="report-new"),
    path("receipt/<str:receipt>/", views.receipt, name="receipt"),
    path("status/", views.status_lookup, name="status-lookup"),
    path("status/<str:receipt>/", views.status, name="status"),
    path("articles/", views.article_list, name="article-list"),
    path("articles/<int:pk>/", views.article_detail, name="article-detail"),
    # The office.
    path("office/", views.office_home, name="office"),
    path("office/reports/", views.report_queue, name="report-queue"),
    path("office/reports/<int:pk>/", views.report_detail, name="report-detail"),
    # The old printing URL: redirects to the office page, where printing is queued.
    path("office/signboards.pdf", views.signboards_pdf, name="signboards-pdf"),
    path("office/signboards/", views.signboards_request, name="signboards-request"),
    path("office/signboards/<int:pk>/", views.signboards_print, name="signboards-print"),
    path(
        "office/signboards/<int:pk>/signboards.pdf",
        views.signboards_download,
        name="signboards-download",
    ),
    path("office/articles/new/", views.article_edit, name="article-new"),
    path("office/articles/<int:pk>/", views.article_edit, name="article-edit"),
    path("office/articles/<int:pk>/unpublish/", views.article_unpublish, name="article-unpublish"),
]
