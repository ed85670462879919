def iou(box_a, box_b):
    """计算两个边框的交并比。

    参数:
        box_a, box_b: (x1, y1, x2, y2)，左上角和右下角坐标
    返回:
        交集面积 / 并集面积（float），不相交时为 0.0
    """
    # 在这里写你的代码
    return None
