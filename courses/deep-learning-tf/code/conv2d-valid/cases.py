import numpy as np

CLOSE = {"type": "close", "rtol": 1e-6, "atol": 1e-9}


def visible():
    rng = np.random.default_rng(601)
    X = np.array([[1, 0, 2, 3], [4, 6, 6, 8], [3, 1, 1, 0], [1, 2, 2, 4]])
    K = np.array([[1, 0, -1], [1, 0, -1], [1, 0, -1]])
    return [
        {"name": "讲义例子：竖直边缘", "call": "conv2d_valid", "args": [X, K], "check": CLOSE},
        {"name": "5×5 输入、2×2 卷积核", "call": "conv2d_valid",
         "args": [rng.normal(size=(5, 5)), rng.normal(size=(2, 2))], "check": CLOSE},
        {"name": "非正方形输入", "call": "conv2d_valid",
         "args": [rng.integers(-3, 4, size=(4, 6)), np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]])],
         "check": CLOSE},
    ]


def hidden():
    rng = np.random.default_rng(602)
    return [
        {"name": "步长 2", "call": "conv2d_valid",
         "args": [rng.normal(size=(7, 7)), rng.normal(size=(3, 3))], "kwargs": {"stride": 2},
         "check": CLOSE},
        {"name": "步长 3、非正方形输入", "call": "conv2d_valid",
         "args": [rng.normal(size=(8, 11)), rng.normal(size=(2, 2)), 3], "check": CLOSE},
        {"name": "非正方形卷积核", "call": "conv2d_valid",
         "args": [rng.normal(size=(6, 7)), rng.normal(size=(2, 3))], "check": CLOSE},
        {"name": "非正方形卷积核加步长", "call": "conv2d_valid",
         "args": [rng.normal(size=(9, 8)), rng.normal(size=(3, 1))], "kwargs": {"stride": 2},
         "check": CLOSE},
        {"name": "1×1 卷积核", "call": "conv2d_valid",
         "args": [rng.integers(0, 10, size=(3, 4)), np.array([[2.5]])], "check": CLOSE},
        {"name": "卷积核与输入一样大", "call": "conv2d_valid",
         "args": [rng.normal(size=(4, 5)), rng.normal(size=(4, 5))], "check": CLOSE},
    ]
