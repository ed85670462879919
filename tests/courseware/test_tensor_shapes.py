"""The tensor-shape explorer agrees with NumPy, and explains what it refuses."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from courseware.tensor_shapes import ShapeError, dims_parse, shape_apply



@pytest.fixture(autouse=True)
def english_messages():
    from django.utils import translation

    with translation.override("en"):
        yield


small_shapes = st.lists(st.integers(min_value=1, max_value=4), min_size=0, max_size=4).map(tuple)


def numpy_or_error(func):
    try:
        return func(), None
    except ValueError as exc:
        return None, exc


def ours_or_error(shape, op, arg):
    try:
        return shape_apply(shape, op, arg), None
    except ShapeError as exc:
        return None, exc


@settings(max_examples=300, deadline=None)
@given(small_shapes, small_shapes)
def test_broadcast_add_matches_numpy(a, b):
    expected, np_error = numpy_or_error(lambda: (np.zeros(a) + np.zeros(b)).shape)
    ours, error = ours_or_error(a, "broadcast_add", list(b))
    assert (error is None) == (np_error is None)
    if error is None:
        assert ours == expected
    else:
        assert "broadcast" in str(error)


@settings(max_examples=300, deadline=None)
@given(small_shapes.filter(len), small_shapes.filter(len))
def test_matmul_matches_numpy(a, b):
    expected, np_error = numpy_or_error(lambda: np.matmul(np.zeros(a), np.zeros(b)).shape)
    ours, error = ours_or_error(a, "matmul", list(b))
    assert (error is None) == (np_error is None), (a, b, error, np_error)
    if error is None:
        assert ours == expected


@settings(max_examples=300, deadline=None)
@given(small_shapes, st.lists(st.integers(min_value=-1, max_value=6), min_size=1, max_size=4))
def test_reshape_matches_numpy(a, target):
    expected, np_error = numpy_or_error(lambda: np.zeros(a).reshape(target).shape)
    ours, error = ours_or_error(a, "reshape", target)
    assert (error is None) == (np_error is None), (a, target, error, np_error)
    if error is None:
        assert ours == expected


@settings(max_examples=200, deadline=None)
@given(small_shapes, st.data())
def test_transpose_and_flatten_match_numpy(a, data):
    perm = data.draw(st.permutations(range(len(a))))
    assert shape_apply(a, "transpose", list(perm)) == np.transpose(np.zeros(a), perm).shape
    if a:
        assert shape_apply(a, "flatten") == np.zeros(a).reshape(a[0], -1).shape


def test_batch_adds_a_sample_axis_in_front():
    assert shape_apply((28, 28, 1), "batch", "128") == (128, 28, 28, 1)


@pytest.mark.parametrize("op, arg, words", [
    ("reshape", "(5, -1)", "divide"), ("reshape", "(-1, -1)", "-1"), ("transpose", "(0, 0, 1)", "exactly once"),
    ("matmul", "(5, 2)", "last axis"), ("broadcast_add", "(3, 5)", "broadcast"), ("batch", "0", "batch size"),
])
def test_refusals_say_why(op, arg, words):
    with pytest.raises(ShapeError) as excinfo:
        shape_apply((2, 3, 4), op, arg)
    assert words in str(excinfo.value)


@pytest.mark.parametrize("text", ["(2, x)", "2.5, 3", "1," * 20, None, 7])
def test_unreadable_shapes(text):
    with pytest.raises(ShapeError):
        dims_parse(text)


@pytest.mark.django_db
def test_api_answers_and_refuses(client, django_user_model):
    user = django_user_model.objects.create_user("u1", password="pw-12345-x")
    client.force_login(user)
    ok = client.post("/api/widgets/tensor-shape/", {"shape": "(60000, 28, 28)", "operation": "reshape", "argument": "(-1, 784)"}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["result"]["shape"] == [60000, 784] and ok.json()["input"]["float32_bytes"] == 60000 * 784 * 4
    bad = client.post("/api/widgets/tensor-shape/", {"shape": "(2, 3)", "operation": "matmul", "argument": "(2, 3)"}, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 400 and "multiply" in bad.json()["detail"]
    chinese = client.post("/api/widgets/tensor-shape/", {"shape": "(2, 3)", "operation": "matmul", "argument": "(2, 3)"}, content_type="application/json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "无法相乘" in chinese.json()["detail"]
    huge = client.post("/api/widgets/tensor-shape/", {"shape": "(10000000,)", "operation": "flatten"}, content_type="application/json")
    assert huge.status_code == 400
