from django.urls import path

from patrols import views

app_name = "patrols"

urlpatterns = [
    path("", views.patrol_list, name="patrol-list"),
    path("start/", views.patrol_start, name="patrol-start"),
    path("record/", views.patrol_record, name="patrol-record"),
    path("<int:pk>/", views.patrol_detail, name="patrol-detail"),
    path("river/<int:river_id>/recent/", views.river_patrols, name="river-patrols"),
    path("<int:pk>/review/", views.patrol_review, name="patrol-review"),
    path("<int:pk>/findings/", views.finding_add, name="finding-add"),
    path("findings/", views.finding_list, name="finding-list"),
    path("findings/<int:pk>/", views.finding_detail, name="finding-detail"),
    path("findings/<int:pk>/photos/", views.finding_photo, name="finding-photo"),
    path("findings/<int:pk>/dismiss/", views.finding_dismiss, name="finding-dismiss"),
    path("duty/", views.duty, name="duty"),
    path("duty.xlsx", views.duty_export, name="duty-export"),
    path("rules/", views.rules, name="rules"),
    path("rules/new/", views.rule_edit, name="rule-new"),
    path("rules/<int:pk>/", views.rule_edit, name="rule-edit"),
    path("rules/authenticity/", views.policy_edit, name="policy-edit"),
    path("stats/", views.stats, name="stats"),
    path("stats.xlsx", views.stats_export, name="stats-export"),
]
