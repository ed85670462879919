import numpy as np


def visible():
    return [
        {"name": "标量 0", "call": "sigmoid", "args": [0],
         "check": {"type": "close", "rtol": 1e-6, "atol": 1e-12}},
        {"name": "一维数组", "call": "sigmoid", "args": [np.array([-1.0, 0.0, 2.0])],
         "check": {"type": "close", "rtol": 1e-6, "atol": 1e-12}},
        {"name": "二维数组", "call": "sigmoid",
         "args": [np.array([[0.5, -0.5, 3.0], [-3.0, 1.5, -2.0]])],
         "check": {"type": "close", "rtol": 1e-6, "atol": 1e-12}},
    ]


def hidden():
    rng = np.random.default_rng(301)
    return [
        {"name": "负的标量", "call": "sigmoid", "args": [-4.0],
         "check": {"type": "close", "rtol": 1e-6, "atol": 1e-12}},
        {"name": "绝对值较大的输入", "call": "sigmoid",
         "args": [np.array([-30.0, -20.0, 20.0, 30.0])],
         "check": {"type": "close", "rtol": 1e-6, "atol": 1e-12}},
        {"name": "极端输入 ±1000", "call": "sigmoid",
         "args": [np.array([-1000.0, 1000.0])],
         "check": {"type": "close", "rtol": 1e-6, "atol": 1e-12}},
        {"name": "三维随机数组", "call": "sigmoid",
         "args": [rng.normal(0.0, 5.0, size=(2, 3, 4))],
         "check": {"type": "close", "rtol": 1e-6, "atol": 1e-12}},
        {"name": "整数数组", "call": "sigmoid", "args": [np.array([-2, -1, 0, 1, 2])],
         "check": {"type": "close", "rtol": 1e-6, "atol": 1e-12}},
    ]
