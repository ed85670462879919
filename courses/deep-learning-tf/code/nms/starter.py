import numpy as np


def nms(boxes, scores, iou_threshold):
    """非极大值抑制。

    参数:
        boxes: 形状 (N, 4) 的数组，每行 (x1, y1, x2, y2)
        scores: 形状 (N,) 的数组
        iou_threshold: 与已保留框的 IoU 大于该值的框被删除
    返回:
        保留框的下标列表，按分数从高到低；N = 0 时返回 []
    """
    # 在这里写你的代码
    return None
