import numpy as np


def _iou_one_to_many(box, boxes):
    x1 = np.maximum(box[0], boxes[:, 0])
    y1 = np.maximum(box[1], boxes[:, 1])
    x2 = np.minimum(box[2], boxes[:, 2])
    y2 = np.minimum(box[3], boxes[:, 3])
    inter = np.maximum(x2 - x1, 0.0) * np.maximum(y2 - y1, 0.0)
    area = (box[2] - box[0]) * (box[3] - box[1])
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    return inter / (area + areas - inter)


def nms(boxes, scores, iou_threshold):
    """贪心非极大值抑制（参考实现），返回保留框的下标列表。"""
    boxes = np.asarray(boxes, dtype=float).reshape(-1, 4)
    scores = np.asarray(scores, dtype=float).reshape(-1)
    order = np.argsort(-scores, kind="stable")   # 分数从高到低，同分时下标小的在前
    keep = []
    while order.size > 0:
        best = int(order[0])
        keep.append(best)
        rest = order[1:]
        ious = _iou_one_to_many(boxes[best], boxes[rest])
        order = rest[ious <= iou_threshold]      # IoU 大于阈值的被删除
    return keep
