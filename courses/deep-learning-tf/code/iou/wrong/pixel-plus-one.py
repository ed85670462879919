# 错误：按像素个数计算宽高（都加 1），与题目规定的连续坐标面积不符。passes visible: no
def iou(box_a, box_b):
    w = max(min(box_a[2], box_b[2]) - max(box_a[0], box_b[0]) + 1, 0)
    h = max(min(box_a[3], box_b[3]) - max(box_a[1], box_b[1]) + 1, 0)
    inter = w * h
    area_a = (box_a[2] - box_a[0] + 1) * (box_a[3] - box_a[1] + 1)
    area_b = (box_b[2] - box_b[0] + 1) * (box_b[3] - box_b[1] + 1)
    return inter / (area_a + area_b - inter)
