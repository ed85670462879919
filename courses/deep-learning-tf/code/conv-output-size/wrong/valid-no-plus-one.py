# 错误：valid 公式漏掉了 "+1"。passes visible: no
import math


def conv_output_size(n, f, s, padding):
    if padding == "same":
        return math.ceil(n / s)
    if padding == "valid":
        return (n - f) // s
    raise ValueError(padding)
