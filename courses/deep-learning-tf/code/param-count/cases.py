EQUAL = {"type": "equal"}


def visible():
    return [
        {"name": "Dense(128) 接在 784 维输入后", "call": "dense_params", "args": [784, 128], "check": EQUAL},
        {"name": "Conv2D(64, 3) 作用于 RGB 图片", "call": "conv2d_params", "args": [3, 64, 3], "check": EQUAL},
        {"name": "花朵模型的第二个卷积层", "call": "conv2d_params", "args": [16, 32, 3], "check": EQUAL},
    ]


def hidden():
    return [
        {"name": "Dense 不带偏置", "call": "dense_params", "args": [128, 10],
         "kwargs": {"use_bias": False}, "check": EQUAL},
        {"name": "花朵模型的第一个全连接层", "call": "dense_params", "args": [30976, 128], "check": EQUAL},
        {"name": "Conv2D 不带偏置", "call": "conv2d_params", "args": [64, 128, 3, False], "check": EQUAL},
        {"name": "非正方形卷积核（元组）", "call": "conv2d_params", "args": [16, 32, (1, 7)], "check": EQUAL},
        {"name": "卷积核写成列表", "call": "conv2d_params", "args": [3, 96, [11, 11]], "check": EQUAL},
        {"name": "1×1 卷积", "call": "conv2d_params", "args": [256, 64, 1], "check": EQUAL},
    ]
