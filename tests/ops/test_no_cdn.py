"""Every asset is served by the project: no page points the browser at a CDN (there is no
network here, and a CSP would forbid it). drf-spectacular's own templates mention a CDN; the
settings switch them to the sidecar package's local copies."""

import re

import pytest
from django.test import Client

from tests.factories import UserFactory, code_exercise_make

CDN = re.compile(r"cdn\.|unpkg\.com|jsdelivr|googleapis|cdnjs", re.IGNORECASE)


@pytest.mark.django_db
def test_the_api_docs_and_the_code_editor_load_their_assets_from_the_project():
    client = Client()
    client.force_login(UserFactory())
    exercise = code_exercise_make("sigmoid")
    pages = ["/api/docs/", f"/courses/{exercise.course.slug}/code/{exercise.key}/", "/dashboard/"]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert not CDN.search(html), (url, CDN.search(html).group(0))
    docs = client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in docs
