import numpy as np

EQUAL = {"type": "equal"}


def visible():
    rng = np.random.default_rng(421)
    X2 = rng.normal(size=(3, 6))
    return [
        {"name": "讲义式的小例子", "call": "predict",
         "args": [np.array([[1.0], [-2.0]]), 0.5,
                  np.array([[1.0, 0.0, 3.0, -1.0], [1.0, 1.0, 0.5, 0.0]])], "check": EQUAL},
        {"name": "三个特征、六个样本", "call": "predict",
         "args": [np.array([[0.7], [-1.1], [0.4]]), -0.2, X2], "check": EQUAL},
    ]


def hidden():
    rng = np.random.default_rng(422)
    X1 = rng.normal(size=(4, 5))
    X3 = rng.normal(size=(5, 50))
    w3 = rng.normal(size=(5, 1))
    return [
        {"name": "全零参数：概率恰好为 0.5", "call": "predict",
         "args": [np.zeros((4, 1)), 0.0, X1], "check": EQUAL},
        {"name": "部分样本恰好落在边界上", "call": "predict",
         "args": [np.array([[1.0], [1.0]]), 0.0,
                  np.array([[2.0, -1.5, 0.5, 3.0, -2.0], [-2.0, 1.5, 1.0, -4.0, 1.0]])],
         "check": EQUAL},
        {"name": "只有一个样本", "call": "predict",
         "args": [np.array([[0.2], [0.3]]), -1.0, np.array([[1.0], [1.0]])], "check": EQUAL},
        {"name": "五十个样本", "call": "predict", "args": [w3, 0.1, X3], "check": EQUAL},
        {"name": "很大的偏置", "call": "predict",
         "args": [np.array([[0.5], [0.5], [0.5], [0.5]]), 50.0, X1], "check": EQUAL},
    ]
