import numpy as np


def pool2d(x, size, stride, padding, mode):
    """对二维数组做池化。

    参数:
        x: 形状 (H, W) 的二维数组
        size: 池化窗口边长
        stride: 步长
        padding: "valid" 或 "same"（same 的填充不参与计算，多出的一个补在下方/右侧）
        mode: "max" 或 "avg"
    返回:
        池化结果（浮点数组）；padding 或 mode 非法时抛出 ValueError
    """
    # 在这里写你的代码
    return None
