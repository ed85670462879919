import numpy as np

CLOSE = {"type": "close", "rtol": 1e-6, "atol": 1e-9}


def visible():
    return [
        {"name": "讲义例子", "call": "iou", "args": [(50, 50, 150, 150), (70, 60, 170, 160)], "check": CLOSE},
        {"name": "完全重合", "call": "iou", "args": [[10, 20, 40, 60], [10, 20, 40, 60]], "check": CLOSE},
        {"name": "一个框包含另一个", "call": "iou", "args": [(0, 0, 100, 100), (25, 25, 75, 75)], "check": CLOSE},
    ]


def hidden():
    return [
        {"name": "两个方向都不相交", "call": "iou", "args": [(0, 0, 10, 10), (20, 20, 30, 30)], "check": CLOSE},
        {"name": "只在一个方向上分开", "call": "iou", "args": [(0, 0, 10, 10), (15, 2, 25, 8)], "check": CLOSE},
        {"name": "边相接", "call": "iou", "args": [(0, 0, 10, 10), (10, 0, 20, 10)], "check": CLOSE},
        {"name": "小数坐标（归一化）", "call": "iou",
         "args": [np.array([0.1, 0.2, 0.5, 0.6]), np.array([0.3, 0.1, 0.7, 0.4])], "check": CLOSE},
        {"name": "参数顺序交换", "call": "iou", "args": [(70, 60, 170, 160), (50, 50, 150, 150)], "check": CLOSE},
        {"name": "十字交叉", "call": "iou", "args": [(0, 4, 12, 8), (4, 0, 8, 12)], "check": CLOSE},
    ]
