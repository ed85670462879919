def dense_params(input_dim, units, use_bias=True):
    """全连接层的参数个数。

    参数:
        input_dim: 输入维度
        units: 输出单元数
        use_bias: 是否有偏置
    返回:
        参数个数（int）
    """
    # 在这里写你的代码
    return None


def conv2d_params(in_channels, filters, kernel_size, use_bias=True):
    """二维卷积层的参数个数。

    参数:
        in_channels: 输入通道数
        filters: 卷积核个数（输出通道数）
        kernel_size: 整数 k，或 (kh, kw) 元组/列表
        use_bias: 是否有偏置
    返回:
        参数个数（int）
    """
    # 在这里写你的代码
    return None
