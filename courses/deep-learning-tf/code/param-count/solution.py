import numbers


def dense_params(input_dim, units, use_bias=True):
    """全连接层的参数个数（参考实现）。"""
    return input_dim * units + (units if use_bias else 0)


def conv2d_params(in_channels, filters, kernel_size, use_bias=True):
    """二维卷积层的参数个数（参考实现）。kernel_size 为整数或 (kh, kw)。"""
    if isinstance(kernel_size, numbers.Integral):
        kh = kw = int(kernel_size)
    else:
        kh, kw = kernel_size
    return kh * kw * in_channels * filters + (filters if use_bias else 0)
