from django.urls import path

from directives import views

app_name = "directives"
urlpatterns = [
    path("", views.order_board, name="order-board"),
    path("mine/", views.my_orders, name="my-orders"),
    path("new/", views.order_create, name="order-create"),
    path("from-finding/<int:finding_id>/", views.order_from_finding, name="order-from-finding"),
    path("<int:pk>/", views.order_detail, name="order-detail"),
    path("<int:pk>/pdf/", views.order_pdf, name="order-pdf"),
    path("<int:pk>/<slug:action>/", views.order_action, name="order-action"),
    path("statistics/", views.statistics, name="statistics"),
    path("export.xlsx", views.export_xlsx, name="export"),
    path("inspections/", views.round_list, name="round-list"),
    path("inspections/new/", views.round_create, name="round-create"),
    path("inspections/<int:pk>/", views.round_detail, name="round-detail"),
    path("inspections/<int:pk>/work-orders/", views.work_order_create, name="work-order-create"),
    path("work-orders/<int:pk>/reply/", views.work_order_reply, name="work-order-reply"),
]
