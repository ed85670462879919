# 错误：并集直接用两框面积之和，忘了减去交集。passes visible: no
def iou(box_a, box_b):
    w = max(min(box_a[2], box_b[2]) - max(box_a[0], box_b[0]), 0)
    h = max(min(box_a[3], box_b[3]) - max(box_a[1], box_b[1]), 0)
    area_a = (box_a[2] - box_a[0]) * (box_a[3] - box_a[1])
    area_b = (box_b[2] - box_b[0]) * (box_b[3] - box_b[1])
    return w * h / (area_a + area_b)
