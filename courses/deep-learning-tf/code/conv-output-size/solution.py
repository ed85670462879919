def conv_output_size(n, f, s, padding):
    """一个方向上的卷积（或池化）输出长度（参考实现）。"""
    if padding == "same":
        return -(-n // s)                 # ceil(n / s)，只用整数运算
    if padding == "valid":
        return (n - f) // s + 1
    raise ValueError(f"padding 只能是 'same' 或 'valid'，收到 {padding!r}")
