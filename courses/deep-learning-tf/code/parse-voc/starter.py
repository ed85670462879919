from xml.etree import ElementTree as ET


def parse_voc(xml_text):
    """解析 PASCAL VOC 格式的 XML 字符串。

    参数:
        xml_text: XML 文件内容（字符串）
    返回:
        {"filename": str,
         "size": (width, height, depth),
         "objects": [{"name": str, "bbox": (xmin, ymin, xmax, ymax)}, ...]}
        其中数字都是 int，objects 按文件中的顺序排列
    """
    # 在这里写你的代码
    return None
