import numpy as np

CLOSE = {"type": "close", "rtol": 1e-6, "atol": 1e-9}
EQUAL = {"type": "equal"}


def visible():
    rng = np.random.default_rng(201)
    return [
        {"name": "标准化：随机的 6×3 数据", "call": "standardize_columns",
         "args": [rng.normal(loc=[0.0, 50.0, -3.0], scale=[1.0, 10.0, 0.5], size=(6, 3))],
         "check": CLOSE},
        {"name": "标准化：整数数据", "call": "standardize_columns",
         "args": [np.array([[1, 100], [2, 300], [4, 200], [5, 400]])], "check": CLOSE},
        {"name": "分批：能整除", "call": "to_batches",
         "args": [np.arange(24).reshape(8, 3), 4], "check": EQUAL},
    ]


def hidden():
    rng = np.random.default_rng(202)
    const = rng.normal(size=(5, 4))
    const[:, 1] = 7.0
    const[:, 3] = -2.5
    return [
        {"name": "标准化：含常数列", "call": "standardize_columns", "args": [const], "check": CLOSE},
        {"name": "标准化：只有一列", "call": "standardize_columns",
         "args": [rng.normal(size=(10, 1))], "check": CLOSE},
        {"name": "标准化：行数多于列数很多", "call": "standardize_columns",
         "args": [rng.uniform(0, 255, size=(40, 2))], "check": CLOSE},
        {"name": "分批：丢弃剩余样本", "call": "to_batches",
         "args": [np.arange(14).reshape(7, 2), 3], "check": EQUAL},
        {"name": "分批：一维数据", "call": "to_batches", "args": [np.arange(10), 4], "check": EQUAL},
        {"name": "分批：图像批次", "call": "to_batches",
         "args": [rng.integers(0, 256, size=(10, 4, 4, 3)), 5], "check": EQUAL},
        {"name": "分批：样本数少于批大小", "call": "to_batches",
         "args": [np.arange(6).reshape(3, 2), 4], "check": EQUAL},
    ]
