"""The convolution / pooling widget agrees with TensorFlow and refuses bad images clearly."""

import io

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from courseware.image_ops import (
    MAX_UPLOAD_BYTES,
    PRESET_KERNELS,
    ImageOpError,
    conv2d,
    image_load_upload,
    kernel_validate,
    output_size,
    pool2d,
)

tf = pytest.importorskip("tensorflow")


@pytest.fixture(autouse=True)
def english_messages():
    from django.utils import translation

    with translation.override("en"):
        yield


images = st.tuples(st.integers(3, 9), st.integers(3, 9), st.integers(0, 2**31 - 1)).map(
    lambda t: np.random.default_rng(t[2]).uniform(0, 255, size=(t[0], t[1]))
)


@settings(max_examples=60, deadline=None)
@given(images, st.sampled_from(sorted(PRESET_KERNELS)), st.sampled_from([1, 2, 3]), st.sampled_from(["same", "valid"]))
def test_convolution_matches_tf_nn_conv2d(image, preset, stride, padding):
    kernel = np.array(PRESET_KERNELS[preset])
    ours = conv2d(image, kernel, stride, padding)
    theirs = tf.nn.conv2d(image[None, :, :, None], kernel[:, :, None, None], strides=stride, padding=padding.upper()).numpy()[0, :, :, 0]
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-3)


@settings(max_examples=60, deadline=None)
@given(images, st.sampled_from(["max", "avg"]), st.sampled_from([2, 3]), st.sampled_from([1, 2, 3]), st.sampled_from(["same", "valid"]))
def test_pooling_matches_tensorflow(image, mode, window, stride, padding):
    op = tf.nn.max_pool2d if mode == "max" else tf.nn.avg_pool2d
    theirs = op(image[None, :, :, None], ksize=window, strides=stride, padding=padding.upper()).numpy()[0, :, :, 0]
    np.testing.assert_allclose(pool2d(image, mode, window, stride, padding), theirs, rtol=1e-4, atol=1e-3)


def test_the_course_max_pool_example():
    x = np.array([[1.0, 2, 3], [4, 5, 6], [7, 8, 9]])
    assert pool2d(x, "max", 2, 2, "same").tolist() == [[5, 6], [8, 9]]
    assert output_size(180, 3, 1, "same") == 180 and output_size(180, 3, 1, "valid") == 178


@pytest.mark.parametrize("kernel", [[[1, 2], [3, 4]], [[1, 2, 3]] * 2 + [["a", 0, 0]], [[float("nan")] * 3] * 3, [[1e9] * 3] * 3, "x"])
def test_bad_kernels_are_refused(kernel):
    with pytest.raises(ImageOpError):
        kernel_validate(kernel)


def png_bytes(size=(40, 30), fmt="PNG"):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 10, 10)).save(buffer, format=fmt)
    return buffer.getvalue()


def test_uploads_are_decoded_greyscaled_and_shrunk():
    assert image_load_upload(png_bytes((40, 30))).shape == (30, 40)
    assert max(image_load_upload(png_bytes((1000, 500), "JPEG")).shape) == 256


@pytest.mark.parametrize("data, words", [
    (b"not an image at all", "not an image"),
    (png_bytes()[:60], "not an image"),
    (b"x" * (MAX_UPLOAD_BYTES + 1), "larger than"),
])
def test_bad_uploads_are_refused_with_the_reason(data, words):
    with pytest.raises(ImageOpError) as excinfo:
        image_load_upload(data)
    assert words in str(excinfo.value)


def test_decompression_bombs_are_refused_before_decoding():
    buffer = io.BytesIO()
    Image.new("1", (5000, 5000)).save(buffer, format="PNG")  # tiny file, 25 megapixels
    with pytest.raises(ImageOpError) as excinfo:
        image_load_upload(buffer.getvalue())
    assert "too many pixels" in str(excinfo.value)


@pytest.mark.django_db
def test_api_runs_on_a_sample_photo_and_on_an_upload(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("u2", password="pw-12345-x"))
    body = client.post("/api/widgets/kernel/", {"sample": "china", "operation": "max", "window": 2, "padding": "valid"},
                       content_type="application/json", HTTP_ACCEPT_LANGUAGE="en").json()
    height, width = body["input"]["size"]
    assert body["output"]["size"] == [height // 2, width // 2] and body["output"]["png"].startswith("data:image/png;base64,")
    upload = io.BytesIO(png_bytes((20, 10)))
    upload.name = "mine.png"
    response = client.post("/api/widgets/kernel/", {"upload": upload, "operation": "conv", "kernel": "[[0,1,0],[1,-4,1],[0,1,0]]",
                                                    "stride": 2, "padding": "same"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and response.json()["output"]["size"] == [5, 10]
    assert "ceil(10 / 2)" in response.json()["formula"]
    bad = io.BytesIO(b"GIF89a broken")
    bad.name = "x.gif"
    refused = client.post("/api/widgets/kernel/", {"upload": bad, "operation": "max"}, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400 and "not an image" in refused.json()["detail"]
