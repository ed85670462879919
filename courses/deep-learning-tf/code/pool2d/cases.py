import numpy as np

CLOSE = {"type": "close", "rtol": 1e-6, "atol": 1e-9}
X3 = np.array([[1, 2, 3], [4, 5, 6], [7, 8, 9]])


def visible():
    rng = np.random.default_rng(611)
    return [
        {"name": "讲义例 1：same 最大池化", "call": "pool2d", "args": [X3, 2, 2, "same", "max"], "check": CLOSE},
        {"name": "讲义例 1：same 平均池化", "call": "pool2d", "args": [X3, 2, 2, "same", "avg"], "check": CLOSE},
        {"name": "4×4 valid 最大池化", "call": "pool2d",
         "args": [rng.integers(0, 20, size=(4, 4)), 2, 2, "valid", "max"], "check": CLOSE},
    ]


def hidden():
    rng = np.random.default_rng(612)
    ex2 = np.array([[3, 2, 1, 4], [8, 1, 5, 9], [6, 2, -1, 7], [-3, 4, 6, 5]])
    return [
        {"name": "讲义例 2：步长 1 的 valid 最大池化", "call": "pool2d",
         "args": [ex2, 2, 1, "valid", "max"], "check": CLOSE},
        {"name": "全为负数的 same 最大池化", "call": "pool2d",
         "args": [-rng.integers(1, 10, size=(5, 5)), 2, 2, "same", "max"], "check": CLOSE},
        {"name": "两侧都要填充的 same 平均池化", "call": "pool2d",
         "args": [rng.normal(size=(5, 5)), 3, 1, "same", "avg"], "check": CLOSE},
        {"name": "非正方形输入的 valid 平均池化", "call": "pool2d",
         "args": [rng.normal(size=(4, 6)), 2, 2, "valid", "avg"], "check": CLOSE},
        {"name": "步长大于窗口", "call": "pool2d",
         "args": [rng.normal(size=(7, 8)), 2, 3, "valid", "max"], "check": CLOSE},
        {"name": "重叠窗口的 same 最大池化", "call": "pool2d",
         "args": [rng.normal(size=(6, 7)), 3, 2, "same", "max"], "check": CLOSE},
        {"name": "不支持的 mode", "call": "pool2d", "args": [X3, 2, 2, "valid", "min"],
         "check": {"type": "raises", "exception": "ValueError"}},
    ]
