# 错误：不认识的 padding 没有抛出 ValueError，而是按 valid 处理。passes visible: yes
import math


def conv_output_size(n, f, s, padding):
    if padding == "same":
        return math.ceil(n / s)
    return (n - f) // s + 1
