import numpy as np

CLOSE = {"type": "close", "rtol": 1e-5, "atol": 1e-8}


def visible():
    rng = np.random.default_rng(401)
    X1 = rng.normal(size=(3, 4))
    X2 = rng.normal(size=(2, 6))
    w2 = np.array([[0.8], [-0.3]])
    Y2 = np.array([[1, 0, 0, 1, 1, 0]])
    return [
        {"name": "零初始化：代价为 ln 2", "call": "propagate",
         "args": [np.zeros((3, 1)), 0.0, X1, np.array([[1, 0, 1, 0]])], "check": CLOSE},
        {"name": "非零权重、偏置为 0", "call": "propagate",
         "args": [w2, 0.0, X2, Y2], "check": CLOSE},
    ]


def hidden():
    rng = np.random.default_rng(402)
    X1 = rng.normal(size=(2, 5))
    X3 = rng.normal(size=(4, 1))
    X4 = rng.normal(size=(1, 7))
    X5 = rng.normal(size=(5, 40))
    Y5 = (rng.random((1, 40)) > 0.5).astype(float)
    w5 = rng.normal(scale=0.5, size=(5, 1))
    return [
        {"name": "带正偏置", "call": "propagate",
         "args": [np.array([[0.4], [-0.7]]), 1.5, X1, np.array([[0, 1, 1, 0, 1]])], "check": CLOSE},
        {"name": "带负偏置", "call": "propagate",
         "args": [np.array([[1.2], [0.3]]), -0.8, X1, np.array([[1, 1, 0, 0, 1]])], "check": CLOSE},
        {"name": "只有一个样本", "call": "propagate",
         "args": [np.array([[0.1], [0.2], [-0.3], [0.4]]), 0.25, X3, np.array([[1]])], "check": CLOSE},
        {"name": "只有一个特征", "call": "propagate",
         "args": [np.array([[2.0]]), -0.5, X4, np.array([[0, 0, 1, 1, 1, 0, 1]])], "check": CLOSE},
        {"name": "40 个样本、5 个特征", "call": "propagate",
         "args": [w5, 0.3, X5, Y5], "check": CLOSE},
        {"name": "标签全为 1", "call": "propagate",
         "args": [np.array([[0.5], [0.5]]), 0.1, X1, np.ones((1, 5))], "check": CLOSE},
    ]
