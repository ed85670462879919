"""The transfer-learning lab as the course defines it, and its page."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from courseware.models import Lab
from courseware.services import course_load
from modelzoo.models import BaseModel
from tests.courseware.test_content import COURSE_DIR
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def page(settings, tmp_path):
    settings.DATA_ROOT = tmp_path
    settings.LANGUAGE_CODE = "en"
    course_load(COURSE_DIR)
    client = Client()
    client.force_login(UserFactory())
    return lambda: client.get("/courses/deep-learning-tf/labs/transfer-learning/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def base_make(status: str) -> BaseModel:
    return BaseModel.objects.create(slug="shapes-cnn", title_zh="卷积基", title_en="Conv base", source="platform", relative_path="models/shapes-cnn.keras",
                                    status=status, input_shape=[64, 64, 3], num_layers=16, total_params=98160, trained_on="shapes")


def test_the_lab_page_offers_the_strategy_and_n_with_the_labs_defaults(page):
    html = page()
    assert 'data-testid="strategy"' in html and 'data-testid="trainable-layers"' in html
    assert all(f'<option value="{s}">' in html for s in ("head", "last_n", "all"))
    config = json.loads(re.search(r'<script id="lab-config" type="application/json">(.*?)</script>', html, re.S).group(1))
    assert config["hyperparameters"]["strategy"] == "head" and config["hyperparameters"]["trainable_layers"] == 4
    assert "GlobalAveragePooling2D" in html and "base.trainable = False" in html  # the code the program runs
    lab = Lab.objects.get(slug="transfer-learning")
    assert lab.program == "transfer" and lab.options["base_model"] == "shapes-cnn" and lab.page.slug == "three-strategies"
    assert lab.dataset_slugs == ["digits-images", "hanzi-fonts"] and lab.metric == {"name": "val_accuracy", "target": 0.9}


def test_the_lab_page_says_the_base_is_being_prepared_until_it_is_ready(page):
    assert "The base model shapes-cnn is not installed" in page()
    base = base_make(BaseModel.Status.BUILDING)
    assert "The base model shapes-cnn is being prepared" in page()
    base.path.parent.mkdir(parents=True)
    base.path.write_bytes(b"model")
    BaseModel.objects.filter(pk=base.pk).update(status=BaseModel.Status.READY)
    html = page()
    assert 'data-testid="base-model-unready"' not in html
    assert "shapes-cnn.keras" in html and "16 layers, 98160 parameters, input 64×64×3" in html and "data set shapes" in html
