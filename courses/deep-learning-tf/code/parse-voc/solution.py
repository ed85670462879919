from xml.etree import ElementTree as ET


def _int(elem, tag):
    return int(float(elem.find(tag).text))


def parse_voc(xml_text):
    """解析一份 PASCAL VOC 标注（参考实现）。"""
    root = ET.fromstring(xml_text)
    size = root.find("size")
    objects = []
    for obj in root.findall("object"):            # 只取 <annotation> 的直接子元素 <object>
        box = obj.find("bndbox")                  # 物体自己的框，不是 <part> 里的框
        objects.append({
            "name": obj.find("name").text.strip(),
            "bbox": tuple(_int(box, k) for k in ("xmin", "ymin", "xmax", "ymax")),
        })
    return {
        "filename": root.find("filename").text.strip(),
        "size": tuple(_int(size, k) for k in ("width", "height", "depth")),
        "objects": objects,
    }
