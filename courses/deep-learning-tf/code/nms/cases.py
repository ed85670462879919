import numpy as np

EQUAL = {"type": "equal"}


def visible():
    lesson_boxes = np.array([[0, 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30],
                             [21, 19, 31, 29], [5, 5, 15, 15]], dtype=float)
    two = np.array([[10, 10, 50, 50], [12, 12, 52, 48], [100, 100, 140, 150],
                    [60, 60, 90, 90], [98, 105, 138, 152]], dtype=float)
    return [
        {"name": "讲义中的五个框", "call": "nms",
         "args": [lesson_boxes, np.array([0.9, 0.8, 0.7, 0.6, 0.5]), 0.5], "check": EQUAL},
        {"name": "两组重叠的框", "call": "nms",
         "args": [two, np.array([0.95, 0.9, 0.85, 0.7, 0.6]), 0.5], "check": EQUAL},
    ]


def hidden():
    rng = np.random.default_rng(1001)
    centers = rng.uniform(20, 80, size=(30, 2))
    sizes = rng.uniform(10, 30, size=(30, 2))
    many = np.hstack([centers - sizes / 2, centers + sizes / 2])
    lesson_boxes = np.array([[0, 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30],
                             [21, 19, 31, 29], [5, 5, 15, 15]], dtype=float)
    return [
        {"name": "分数没有排好序", "call": "nms",
         "args": [lesson_boxes, np.array([0.6, 0.9, 0.5, 0.8, 0.7]), 0.5], "check": EQUAL},
        {"name": "空输入", "call": "nms", "args": [np.zeros((0, 4)), np.zeros((0,)), 0.5], "check": EQUAL},
        {"name": "只有一个框", "call": "nms",
         "args": [np.array([[3.0, 4.0, 8.0, 9.0]]), np.array([0.3]), 0.5], "check": EQUAL},
        {"name": "IoU 恰好等于阈值", "call": "nms",
         "args": [np.array([[0, 0, 4, 1], [0, 0, 2, 1]], dtype=float), np.array([0.9, 0.8]), 0.5],
         "check": EQUAL},
        {"name": "链式重叠", "call": "nms",
         "args": [np.array([[0, 0, 10, 10], [3, 0, 13, 10], [6, 0, 16, 10]], dtype=float),
                  np.array([0.9, 0.8, 0.7]), 0.4], "check": EQUAL},
        {"name": "阈值为 0", "call": "nms",
         "args": [np.array([[0, 0, 10, 10], [10, 0, 20, 10], [9, 9, 19, 19], [30, 30, 40, 40]], dtype=float),
                  np.array([0.5, 0.6, 0.7, 0.8]), 0.0], "check": EQUAL},
        {"name": "三十个随机框", "call": "nms",
         "args": [many, rng.permutation(30) / 30.0 + 0.01, 0.3], "check": EQUAL},
    ]
