# 错误：没有按分数排序，直接按下标顺序处理；输入恰好按分数排好时看不出来。passes visible: yes
def box_iou(a, b):
    w = max(min(a[2], b[2]) - max(a[0], b[0]), 0)
    h = max(min(a[3], b[3]) - max(a[1], b[1]), 0)
    inter = w * h
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


def nms(boxes, scores, iou_threshold):
    candidates = list(range(len(boxes)))
    keep = []
    while candidates:
        best = candidates.pop(0)
        keep.append(best)
        candidates = [i for i in candidates if box_iou(boxes[best], boxes[i]) <= iou_threshold]
    return keep
