# 错误：直接 int(text) 转换，遇到 "12.0" 这样的小数坐标会抛出 ValueError。passes visible: yes
from xml.etree import ElementTree as ET


def parse_voc(xml_text):
    root = ET.fromstring(xml_text)
    size = root.find("size")
    objects = []
    for obj in root.findall("object"):
        box = obj.find("bndbox")
        objects.append({"name": obj.find("name").text.strip(),
                        "bbox": tuple(int(box.find(k).text) for k in ("xmin", "ymin", "xmax", "ymax"))})
    return {"filename": root.find("filename").text.strip(),
            "size": tuple(int(size.find(k).text) for k in ("width", "height", "depth")),
            "objects": objects}
