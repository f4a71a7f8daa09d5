from django.urls import path

from letters import views

app_name = "letters"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("batches/new/", views.batch_create, name="batch-create"),
    path("batches/<int:pk>/", views.batch_detail, name="batch-detail"),
    path("batches/<int:pk>/send/", views.batch_send, name="batch-send"),
    path("batches/<int:pk>/progress/", views.batch_progress, name="batch-progress"),
    path("batches/<int:pk>/retry/", views.batch_retry, name="batch-retry"),
    path("batches/<int:pk>/resend/", views.batch_resend, name="batch-resend"),
    path("<int:pk>/", views.letter_detail, name="letter-detail"),
    path("<int:pk>/pdf/", views.letter_pdf_view, name="letter-pdf"),
    path("template/", views.template_edit, name="template-edit"),
    path("template/preview/", views.template_preview, name="template-preview"),
]
