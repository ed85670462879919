import pytest
from django.test import Client

from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/admin/", "/admin/training/run/", "/admin/courseware/course/", "/admin/courseware/page/",
                                  "/admin/courseware/lab/", "/admin/courseware/enrollment/", "/admin/datasets/dataset/", "/admin/accounts/user/"])
def test_admin_manages_everything_in_django_admin(run, path):
    admin = UserFactory(role=User.Role.ADMIN, is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    assert client.get(path).status_code == 200
    assert client.get(f"/admin/training/run/{run.pk}/change/").status_code == 200


def test_learners_cannot_open_django_admin(learner):
    client = Client()
    client.force_login(learner)
    response = client.get("/admin/training/run/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_demo_accounts_have_the_three_roles(db):
    from accounts.services import demo_accounts_create

    accounts = demo_accounts_create(password="demo-password-1")
    assert accounts["learner"][0].role == User.Role.LEARNER
    assert accounts["instructor"][0].role == User.Role.INSTRUCTOR
    admin = accounts["admin"][0]
    assert admin.role == User.Role.ADMIN and admin.is_superuser and admin.check_password("demo-password-1")
    again = demo_accounts_create()
    assert again["learner"][1] != "demo-password-1" and again["learner"][0].check_password(again["learner"][1])
