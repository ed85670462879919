# 错误：忽略 use_bias 参数，总是加上偏置。passes visible: yes
def dense_params(input_dim, units, use_bias=True):
    return (input_dim + 1) * units


def conv2d_params(in_channels, filters, kernel_size, use_bias=True):
    if isinstance(kernel_size, int):
        kh = kw = kernel_size
    else:
        kh, kw = kernel_size
    return (kh * kw * in_channels + 1) * filters
