import pytest

from exercises.checking import ResponseError, response_check, shape_parse


@pytest.mark.parametrize("text, expected", [
    ("(None, 32, 32, 16)", (None, 32, 32, 16)),
    ("[None,32,32,16]", (None, 32, 32, 16)),
    ("None, 30976", (None, 30976)),
    ("(3,)", (3,)),
    (" ( none , 8 ) ", (None, 8)),
])
def test_shapes_are_read_in_the_usual_spellings(text, expected):
    assert shape_parse(text) == expected


@pytest.mark.parametrize("text", ["", "(None, 3.5)", "(a, b)", "()", "(None,, 3)", "x" * 300, None, 5])
def test_unreadable_shapes_get_a_clear_error(text):
    with pytest.raises(ResponseError):
        shape_parse(text)


def test_single_choice():
    assert response_check("single", {"choice": "a"}, answer="a", choice_ids=["a", "b"]).correct is True
    assert response_check("single", {"choice": "b"}, answer="a", choice_ids=["a", "b"]).correct is False
    with pytest.raises(ResponseError):
        response_check("single", {"choice": "z"}, answer="a", choice_ids=["a", "b"])


def test_multiple_choice_needs_exactly_the_right_set():
    ids = ["a", "b", "c"]
    assert response_check("multiple", {"choices": ["c", "a"]}, answer=["a", "c"], choice_ids=ids).correct is True
    assert response_check("multiple", {"choices": ["a"]}, answer=["a", "c"], choice_ids=ids).correct is False
    assert response_check("multiple", {"choices": ["a", "b", "c"]}, answer=["a", "c"], choice_ids=ids).correct is False
    for bad in ({"choices": []}, {"choices": "a"}, {"choices": ["a", "zz"]}):
        with pytest.raises(ResponseError):
            response_check("multiple", bad, answer=["a"], choice_ids=ids)


@pytest.mark.parametrize("value, tolerance, correct", [
    (92, 0, True), ("92", 0, True), (" 92 ", 0, True), (91, 0, False), (0.26, 0.01, True), (0.28, 0.01, False),
    ("3,989,285", 0, True),
])
def test_numeric_answers_within_tolerance(value, tolerance, correct):
    answer = 3989285 if isinstance(value, str) and "," in value else (0.25 if tolerance else 92)
    assert response_check("numeric", {"value": value}, answer=answer, tolerance=tolerance).correct is correct


@pytest.mark.parametrize("value", [True, "abc", float("nan"), float("inf"), None, [1]])
def test_non_numbers_are_refused(value):
    with pytest.raises(ResponseError):
        response_check("numeric", {"value": value}, answer=1)


def test_shape_answers_compare_as_tuples():
    assert response_check("shape", {"value": "[None, 90, 90, 16]"}, answer="(None, 90, 90, 16)").correct is True
    assert response_check("shape", {"value": "(90, 90, 16)"}, answer="(None, 90, 90, 16)").correct is False


def test_free_text_is_stored_for_an_instructor():
    checked = response_check("text", {"text": "  因为 dropout 只在训练时生效。 "})
    assert checked.correct is None and checked.normalized == "因为 dropout 只在训练时生效。"
    for bad in ({"text": ""}, {"text": "x" * 10_001}, {"text": 5}):
        with pytest.raises(ResponseError):
            response_check("text", bad)


@pytest.mark.parametrize("response", [None, [], "a", 5])
def test_responses_must_be_objects(response):
    with pytest.raises(ResponseError):
        response_check("single", response, answer="a", choice_ids=["a"])
