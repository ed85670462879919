import numpy as np

CLOSE = {"type": "close", "rtol": 1e-5, "atol": 1e-8}


def _data(seed, n, m):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, m))
    true_w = rng.normal(size=(n, 1))
    Y = (true_w.T @ X + 0.3 * rng.normal(size=(1, m)) > 0).astype(float)
    return X, Y


def visible():
    X0 = np.array([[1.0, 2.0, -1.0, -2.0], [0.5, 1.5, -0.5, 0.0]])
    Y0 = np.array([[1, 1, 0, 0]])
    X1, Y1 = _data(411, 3, 12)
    return [
        {"name": "propagate：零初始化", "call": "propagate",
         "args": [np.zeros((2, 1)), 0.0, X0, Y0], "check": CLOSE},
        {"name": "只迭代一次", "call": "optimize",
         "args": [np.zeros((2, 1)), 0.0, X0, Y0, 1, 0.1], "check": CLOSE},
        {"name": "迭代 201 次", "call": "optimize",
         "args": [np.zeros((3, 1)), 0.0, X1, Y1, 201, 0.05], "check": CLOSE},
    ]


def hidden():
    X1, Y1 = _data(412, 3, 12)
    X2, Y2 = _data(413, 4, 30)
    X3, Y3 = _data(414, 2, 8)
    return [
        {"name": "恰好迭代 100 次", "call": "optimize",
         "args": [np.zeros((3, 1)), 0.0, X1, Y1, 100, 0.1], "check": CLOSE},
        {"name": "迭代 150 次", "call": "optimize",
         "args": [np.zeros((3, 1)), 0.0, X1, Y1, 150, 0.1], "check": CLOSE},
        {"name": "迭代 1000 次", "call": "optimize",
         "args": [np.zeros((4, 1)), 0.0, X2, Y2, 1000, 0.05], "check": CLOSE},
        {"name": "非零初始参数", "call": "optimize",
         "args": [np.array([[0.5], [-0.5]]), 0.2, X3, Y3, 320, 0.02], "check": CLOSE},
        {"name": "较大的学习率", "call": "optimize",
         "args": [np.zeros((2, 1)), 0.0, X3, Y3, 30, 1.0], "check": CLOSE},
        {"name": "propagate：带偏置", "call": "propagate",
         "args": [np.array([[0.3], [-0.2], [0.1], [0.4]]), -0.4, X2, Y2], "check": CLOSE},
    ]
