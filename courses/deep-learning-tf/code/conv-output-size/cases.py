EQUAL = {"type": "equal"}


def visible():
    return [
        {"name": "valid，R=7 F=3 S=2", "call": "conv_output_size", "args": [7, 3, 2, "valid"], "check": EQUAL},
        {"name": "same，R=32 F=5 S=1", "call": "conv_output_size", "args": [32, 5, 1, "same"], "check": EQUAL},
        {"name": "AlexNet 第一层", "call": "conv_output_size", "args": [227, 11, 4, "valid"], "check": EQUAL},
    ]


def hidden():
    return [
        {"name": "same，步长 2 且除不尽", "call": "conv_output_size", "args": [7, 3, 2, "same"], "check": EQUAL},
        {"name": "same，步长 3", "call": "conv_output_size", "args": [10, 4, 3, "same"], "check": EQUAL},
        {"name": "valid，步长 1", "call": "conv_output_size", "args": [32, 5, 1, "valid"], "check": EQUAL},
        {"name": "valid，卷积核与输入一样大", "call": "conv_output_size", "args": [5, 5, 2, "valid"], "check": EQUAL},
        {"name": "valid，1×1 卷积核", "call": "conv_output_size", "args": [9, 1, 2, "valid"], "check": EQUAL},
        {"name": "same，卷积核为偶数", "call": "conv_output_size", "args": [5, 2, 1, "same"], "check": EQUAL},
        {"name": "不支持的 padding", "call": "conv_output_size", "args": [7, 3, 1, "full"],
         "check": {"type": "raises", "exception": "ValueError"}},
    ]
