def conv_output_size(n, f, s, padding):
    """计算一个方向上卷积的输出长度。

    参数:
        n: 输入长度
        f: 卷积核长度
        s: 步长
        padding: "same" 或 "valid"，其他值抛出 ValueError
    返回:
        输出长度（int）
    """
    # 在这里写你的代码
    return None
