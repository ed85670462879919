"""Account writes."""

from __future__ import annotations

import secrets

from django.db import transaction

from .models import User

DEMO_ACCOUNTS = (
    ("learner", User.Role.LEARNER, "演示学员 Demo Learner"),
    ("learner2", User.Role.LEARNER, "第二位学员 Second Learner"),
    ("instructor", User.Role.INSTRUCTOR, "演示教师 Demo Instructor"),
    ("admin", User.Role.ADMIN, "平台管理员 Admin"),
)


@transaction.atomic
def user_create_or_reset(*, username: str, role: str, display_name: str, password: str) -> User:
    """Create the user, or reset an existing one's role and password (used for demo accounts)."""
    user, _ = User.objects.get_or_create(username=username)
    user.role = role
    user.display_name = display_name
    is_admin = role == User.Role.ADMIN
    user.is_staff = is_admin
    user.is_superuser = is_admin
    user.set_password(password)
    user.save()
    return user


def demo_accounts_create(password: str | None = None) -> dict[str, tuple[User, str]]:
    """Create the demo accounts; each gets its own random password unless one is given."""
    created = {}
    for username, role, display_name in DEMO_ACCOUNTS:
        pw = password or secrets.token_urlsafe(9)
        created[username] = (user_create_or_reset(username=username, role=role, display_name=display_name, password=pw), pw)
    return created
