# 错误：size 按 (height, width, depth) 的顺序返回（把图片数组的形状顺序套到了这里）。passes visible: no
from xml.etree import ElementTree as ET


def parse_voc(xml_text):
    root = ET.fromstring(xml_text)
    size = root.find("size")
    objects = []
    for obj in root.findall("object"):
        box = obj.find("bndbox")
        objects.append({"name": obj.find("name").text.strip(),
                        "bbox": tuple(int(float(box.find(k).text)) for k in ("xmin", "ymin", "xmax", "ymax"))})
    return {"filename": root.find("filename").text.strip(),
            "size": tuple(int(float(size.find(k).text)) for k in ("height", "width", "depth")),
            "objects": objects}
