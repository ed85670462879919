# 错误：卷积核的大小只算了 kh*kw，漏乘输入通道数。passes visible: no
def dense_params(input_dim, units, use_bias=True):
    return (input_dim + (1 if use_bias else 0)) * units


def conv2d_params(in_channels, filters, kernel_size, use_bias=True):
    if isinstance(kernel_size, int):
        kernel_size = (kernel_size, kernel_size)
    kh, kw = kernel_size
    return (kh * kw + (1 if use_bias else 0)) * filters
