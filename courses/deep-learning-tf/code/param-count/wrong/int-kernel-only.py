# 错误：假定 kernel_size 总是整数，直接 kernel_size * kernel_size，传入元组或列表时出错。passes visible: yes
def dense_params(input_dim, units, use_bias=True):
    return input_dim * units + (units if use_bias else 0)


def conv2d_params(in_channels, filters, kernel_size, use_bias=True):
    weights = kernel_size * kernel_size * in_channels * filters
    return weights + (filters if use_bias else 0)
