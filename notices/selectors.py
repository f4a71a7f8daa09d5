from core.models import User
from notices.models import Notification


def unread_count(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def inbox_for(*, user: User):
    return Notification.objects.filter(recipient=user)
